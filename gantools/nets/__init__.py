"""Building blocks and architectures shared by the recipes."""
