"""What each endpoint group does: one module per group (records, rules, presentation) over the generic resource
layer, with the request bodies, pagination, idempotency and audience rules they share."""
