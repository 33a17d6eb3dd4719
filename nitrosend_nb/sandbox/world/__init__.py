"""The seeded world: an account with two brands and a simulated year of business, written into a store. Only
the runner seeds."""
