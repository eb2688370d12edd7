"""One router per resource; each route parses, calls one service and returns a public schema."""
