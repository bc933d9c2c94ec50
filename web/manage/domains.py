"""The custom domains page: add a domain, see the DNS records to create, check, make primary, remove."""

urlpatterns: list = []
