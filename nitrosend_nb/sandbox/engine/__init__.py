"""The sending engine: delivering rendered messages to the outbox, why a send fails, the suppression rules, and
webhook events with their signed delivery."""
