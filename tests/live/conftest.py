from tests.integration.conftest import redis_url  # noqa: F401 - fixture: a real redis-server
from tests.messaging.conftest import auth, tutoring  # noqa: F401 - fixtures: a listing and sign-ins at alpha
