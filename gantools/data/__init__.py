"""Training data: folder listings, class folders, paired folders, small bundled datasets."""
