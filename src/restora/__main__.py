"""``python -m restora`` runs the command line."""

from restora.cli.main import app

if __name__ == "__main__":
    app()
