import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tenants.selectors import PUBLIC, route_for_host
from tenants.services import tenant_close, tenant_suspend

pytestmark = pytest.mark.django_db


def test_marketplace_host_serves_that_marketplace(tenant_a, tenant_b):
    page_a = Client(HTTP_HOST="alpha.localhost").get("/")
    page_b = Client(HTTP_HOST="beta.localhost:8000").get("/")

    assert page_a.status_code == 200 and b"Alpha University" in page_a.content
    assert page_b.status_code == 200 and b"Beta Agency" in page_b.content
    assert b"Alpha University" not in page_b.content


def test_platform_host_serves_the_platform_site(db):
    page = Client(HTTP_HOST="localhost").get("/")

    assert page.status_code == 200
    assert b"Launch a marketplace" in page.content


@pytest.mark.parametrize("host", ["nowhere.localhost", "alpha.example.org", "_template.localhost", "bad host!"])
def test_unknown_host_gets_the_neutral_404_page_not_a_500(host):
    page = Client(HTTP_HOST=host).get("/")
    api = Client(HTTP_HOST=host).get("/api/v1/me/")

    assert page.status_code == 404
    assert b"No marketplace lives at this address" in page.content
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "unknown_host"


def test_untrusted_forwarded_host_does_not_switch_tenant(tenant_a, tenant_b):
    page = Client(HTTP_HOST="alpha.localhost", HTTP_X_FORWARDED_HOST="beta.localhost").get("/")

    assert b"Alpha University" in page.content
    assert b"Beta Agency" not in page.content


def test_trusted_forwarded_host_is_honoured_when_configured(settings, tenant_b):
    settings.USE_X_FORWARDED_HOST = True

    page = Client(HTTP_HOST="proxy.internal", HTTP_X_FORWARDED_HOST="beta.localhost").get("/")

    assert b"Beta Agency" in page.content


def test_a_suspended_marketplace_stays_readable_but_takes_nothing_new(tenant_a, tenant_b):
    # given
    tenant_suspend(actor=None, tenant=tenant_a, reason="unpaid invoice")
    alpha = Client(HTTP_HOST="alpha.localhost")

    # when
    page = alpha.get("/")
    info = alpha.get("/api/v1/marketplace/")
    register = alpha.post("/api/v1/auth/register/", {}, content_type="application/json")
    form = alpha.post("/accounts/register/", {})
    login = alpha.post("/api/v1/auth/login/", {}, content_type="application/json")
    other = Client(HTTP_HOST="beta.localhost").post("/api/v1/auth/register/", {}, content_type="application/json")

    # then reading works, new sign-ups are refused saying why, signing in still works
    assert page.status_code == info.status_code == 200
    assert register.status_code == 503 and register.json()["error"]["code"] == "marketplace_suspended"
    assert "Alpha University is suspended and takes no new bookings" in register.json()["error"]["message"]
    assert form.status_code == 503 and b"Alpha University is unavailable" in form.content
    assert login.status_code == 400  # the form's own errors: the request got through
    assert other.status_code == 400


def test_closed_marketplace_says_so(tenant_a):
    tenant_close(actor=None, tenant=tenant_a, reason="moving on")

    page = Client(HTTP_HOST="alpha.localhost").get("/")

    assert page.status_code == 503
    assert b"closed by its operator" in page.content


def test_health_endpoints_answer_on_any_host(db):
    assert Client(HTTP_HOST="10.0.0.7").get("/healthz").json() == {"status": "ok"}
    ready = Client(HTTP_HOST="whatever").get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] == "ok"


def test_readyz_reports_an_unreachable_dependency(settings, db):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    ready = Client().get("/readyz")

    assert ready.status_code == 503
    assert ready.json()["checks"]["redis"].startswith("error")


def test_host_lookup_is_cached_per_process(tenant_a):
    # given
    assert route_for_host("alpha.localhost").pk == tenant_a.pk

    # when
    with CaptureQueriesContext(connection) as queries:
        route = route_for_host("alpha.localhost")
        platform = route_for_host("localhost")

    # then
    assert route.pk == tenant_a.pk and platform is PUBLIC
    assert len(queries) == 0


def test_same_schema_switch_issues_no_new_search_path(tenant_a):
    # given: the connection already points at alpha
    connection.set_tenant(tenant_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    before = connection.search_path_set_schemas

    # when
    connection.set_tenant(tenant_a)

    # then: the remembered search path is kept (no SET on the next cursor)
    assert before == ["alpha", "public"]
    assert connection.search_path_set_schemas == before
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        assert cursor.fetchone()[0].replace('"', "") == "alpha, public"
