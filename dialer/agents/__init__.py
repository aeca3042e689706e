"""Agents: the agent state machine, and simulated agents driven through the engine's agent API."""
