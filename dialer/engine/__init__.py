"""The dialing engine: hopper, call and agent state machines, routing, dispositions."""
