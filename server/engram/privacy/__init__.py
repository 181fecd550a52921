"""Privacy filters applied to memory text before it is stored, embedded, logged or exported."""
