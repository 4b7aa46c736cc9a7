"""What the rules of a 民主生活会 derive from the facts of one meeting."""
