"""The sandbox's inbox: a Mailpit-style page at ``/_sandbox/`` and its read-only JSON API (search, one email,
its ``.eml`` source, its checks), plus the unsubscribe pages the emails link to."""
