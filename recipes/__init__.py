"""Built-in recipes, one task per file; each module sets RECIPE to its Recipe subclass."""
