"""The Celery app: configured from Django settings (CELERY_*), tasks from each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingdezhen.settings")

app = Celery("jingdezhen")
# The current app is per thread: a thread that never set one (the web server's request threads, a
# test's live server) falls back to the default app, which must be this one, or the project's
# shared tasks (an import job, a reminder) would go to an unconfigured app of Celery's own.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task modules besides the apps' own tasks.py (named as before they moved: orders.tasks.*).
app.autodiscover_tasks(["orders.turnover"])
# Each worker writes a heartbeat that /healthz reads (jingdezhen/health.py).
app.steps["consumer"].add("jingdezhen.health:WorkerHeartbeat")
