from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "marketplace.configuration"
    label = "configuration"
    verbose_name = "Marketplace settings"

    def ready(self) -> None:
        from marketplace.configuration import seeds  # noqa: F401 - registers the provisioning seeder
