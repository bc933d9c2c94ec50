from rest_framework import serializers

from accounts.models import ApiKey, Invitation, Role, User, UserStatus


class UserSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), read_only=True)
    email_verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "status", "roles", "email_verified", "created_at"]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    full_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[Role.CLIENT, Role.PROVIDER]), required=False, default=[Role.CLIENT]
    )
    invitation = serializers.CharField(required=False, allow_blank=True, default="")


class LoginSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
    user = UserSerializer()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class EmailSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField()
    token = serializers.CharField()
    new_password = serializers.CharField(write_only=True)


class ProfileSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=150, allow_blank=True)


class UserStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[UserStatus.ACTIVE, UserStatus.SUSPENDED, UserStatus.REJECTED])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class UserRolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1)


class InvitationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "email", "roles", "status", "expires_at", "created_at"]
        read_only_fields = fields

    def get_status(self, invitation: Invitation) -> str:
        if invitation.accepted_at:
            return "accepted"
        if invitation.revoked_at:
            return "revoked"
        return "open" if invitation.is_open else "expired"


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.CharField(max_length=254)
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1)


class MessageSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ApiKeySerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    user = serializers.EmailField(source="user.email", read_only=True, help_text="Whom the key acts as.")

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "user", "created_at", "revoked_at"]
        read_only_fields = fields


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <key>`; shown only once.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiKeyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
