#!/usr/bin/env python3
"""Starts the demo app: creates its SQLite tables, then serves on APP_HOST:APP_PORT.

Django's development server (threaded, no auto-reload) is enough for a demo on loopback; a real
deployment runs the same settings under gunicorn or uWSGI.
"""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_site.settings")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from django.core.management import call_command, execute_from_command_line

    import django

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    address = f"{os.environ.get('APP_HOST', '127.0.0.1')}:{os.environ.get('APP_PORT', '8083')}"
    # --insecure: serve the static script without a separate web server (loopback demo only).
    execute_from_command_line(["manage.py", "runserver", address, "--noreload", "--insecure"])
