"""Use cases of the engine. No web or CLI code here: callers pass an engine, a session and an actor."""
