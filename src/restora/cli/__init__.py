"""Command-line front end (Typer). Heavy modules are imported inside commands."""
