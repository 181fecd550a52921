"""Knowledge transfer between agents and Engram instances: export, import and merge, with consent."""
