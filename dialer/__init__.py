"""The dialer runtime: engine, carriers, agents, storage and web server."""
