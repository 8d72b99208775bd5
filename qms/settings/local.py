"""Settings for `make run` on a developer's machine: DEBUG on, a throwaway secret key."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="local-development-only-not-secret-0123456789abcdef")
