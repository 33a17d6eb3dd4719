"""The sandbox's HTTP side: the FastAPI app, the gate in front of it, the routes of every endpoint group, the
/_sandbox control endpoints and the inbox."""
