"""Learning from agent experience: error signatures and failure-pattern grouping."""
