import factory
from django.utils import timezone

from accounts.models import User, UserStatus

PASSWORD = "Correct-Horse-77"


class UserFactory(factory.django.DjangoModelFactory):
    """Creates the user in the schema that is active when it is called."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    status = UserStatus.ACTIVE
    is_active = factory.LazyAttribute(lambda user: user.status == UserStatus.ACTIVE)
    email_verified_at = factory.LazyFunction(timezone.now)
    is_client = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save()
