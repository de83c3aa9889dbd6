"""`gantools serve`: a local web page over the shared runner (the [ui] extra)."""
