"""Accounts API, the same on every marketplace host and on the platform host (operators)."""

from __future__ import annotations

from django.contrib.auth import login as session_login
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts import api_keys, selectors, services
from accounts.api import serializers as s
from accounts.models import ApiKey
from accounts.permissions import Allowed
from marketplace.common.errors import NotFound


class _AuthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


def _token_response(request, user, http_status=status.HTTP_200_OK) -> Response:
    instance, token = AuthToken.objects.create(user)
    return Response(
        {"token": token, "expiry": instance.expiry, "user": s.UserSerializer(user).data}, status=http_status
    )


class RegisterView(_AuthView):
    @extend_schema(
        request=s.RegisterSerializer,
        responses={201: s.UserSerializer},
        summary="Create an account at this marketplace (or an operator account on the platform host)",
    )
    def post(self, request):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(
            tenant=request.tenant,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
            full_name=data.validated_data["full_name"],
            roles=data.validated_data["roles"],
            invitation_token=data.validated_data["invitation"] or None,
        )
        return Response(s.UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginView(_AuthView):
    @extend_schema(
        request=s.LoginSerializer,
        responses={200: s.TokenResponseSerializer},
        summary="Exchange email and password for an API token (valid at this host only)",
    )
    def post(self, request):
        data = s.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_authenticate(
            request=request,
            tenant=request.tenant,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        if request.query_params.get("session") == "1":
            session_login(request, user)
        return _token_response(request, user)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke the token used for this request")
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke every token of the signed-in user")
    def post(self, request):
        keys = ApiKey.objects.values("token_digest")
        AuthToken.objects.filter(user=request.user).exclude(digest__in=keys).delete()  # API keys stay
        return Response(status=status.HTTP_204_NO_CONTENT)


class VerifyEmailView(_AuthView):
    @extend_schema(request=s.TokenSerializer, responses={200: s.UserSerializer}, summary="Confirm an email address")
    def post(self, request):
        data = s.TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_verify_email(token=data.validated_data["token"])
        return Response(s.UserSerializer(user).data)


class PasswordResetView(_AuthView):
    @extend_schema(
        request=s.EmailSerializer, responses={202: s.MessageSerializer}, summary="Email a password reset link"
    )
    def post(self, request):
        data = s.EmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(
            {"detail": "If an account exists for this address, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(_AuthView):
    @extend_schema(
        request=s.PasswordResetConfirmSerializer, responses={200: s.UserSerializer}, summary="Set a new password"
    )
    def post(self, request):
        data = s.PasswordResetConfirmSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.password_reset_confirm(**data.validated_data)
        return Response(s.UserSerializer(user).data)


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: s.UserSerializer}, summary="The signed-in user")
    def get(self, request):
        return Response(s.UserSerializer(request.user).data)

    @extend_schema(request=s.ProfileSerializer, responses={200: s.UserSerializer}, summary="Update your profile")
    def patch(self, request):
        data = s.ProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, full_name=data.validated_data["full_name"])
        return Response(s.UserSerializer(user).data)


class UserListView(generics.ListAPIView):
    permission_classes = [Allowed("users.view")]
    serializer_class = s.UserSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.users_list(status=params.get("status"), role=params.get("role"), search=params.get("search"))


def _user_or_404(public_id: str):
    user = selectors.user_by_public_id(public_id)
    if user is None:
        raise NotFound("No such user at this marketplace.")
    return user


class UserStatusView(APIView):
    permission_classes = [Allowed("users.approve")]

    @extend_schema(
        request=s.UserStatusSerializer,
        responses={200: s.UserSerializer},
        summary="Approve, reject, suspend or reinstate a member",
    )
    def post(self, request, public_id: str):
        data = s.UserStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_set_status(actor=request.user, user=_user_or_404(public_id), **data.validated_data)
        return Response(s.UserSerializer(user).data)


class UserRolesView(APIView):
    permission_classes = [Allowed("users.manage_roles")]

    @extend_schema(request=s.UserRolesSerializer, responses={200: s.UserSerializer}, summary="Set a member's roles")
    def put(self, request, public_id: str):
        data = s.UserRolesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_set_roles(
            actor=request.user, user=_user_or_404(public_id), roles=data.validated_data["roles"]
        )
        return Response(s.UserSerializer(user).data)


class InvitationRevokeView(APIView):
    permission_classes = [Allowed("users.invite")]

    @extend_schema(request=None, responses={200: s.InvitationSerializer}, summary="Revoke an open invitation")
    def post(self, request, public_id: str):
        invitation = selectors.invitations_list().filter(public_id=public_id).first()
        if invitation is None:
            raise NotFound("No such invitation.")
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
        return Response(s.InvitationSerializer(invitation).data)


class InvitationListCreateView(generics.ListAPIView):
    permission_classes = [Allowed("users.invite")]
    serializer_class = s.InvitationSerializer

    def get_queryset(self):
        return selectors.invitations_list()

    @extend_schema(
        request=s.InvitationCreateSerializer, responses={201: s.InvitationSerializer}, summary="Invite someone"
    )
    def post(self, request):
        data = s.InvitationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation, _token = services.invitation_create(actor=request.user, **data.validated_data)
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


class ApiKeyListCreateView(APIView):
    permission_classes = [Allowed("api_keys.manage")]

    @extend_schema(responses={200: s.ApiKeySerializer(many=True)}, summary="This marketplace's API keys")
    def get(self, request):
        return Response(s.ApiKeySerializer(api_keys.api_keys(), many=True).data)

    @extend_schema(
        request=s.ApiKeyCreateSerializer,
        responses={201: s.ApiKeyCreatedSerializer},
        summary="Make an API key for an integration (plans with API access); the key is shown only now",
    )
    def post(self, request):
        data = s.ApiKeyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key, secret = api_keys.api_key_create(actor=request.user, name=data.validated_data["name"])
        key.key = secret
        return Response(s.ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED)


class ApiKeyRevokeView(APIView):
    permission_classes = [Allowed("api_keys.manage")]

    @extend_schema(request=None, responses={200: s.ApiKeySerializer}, summary="Revoke an API key")
    def post(self, request, public_id: str):
        return Response(s.ApiKeySerializer(api_keys.api_key_revoke(actor=request.user, public_id=public_id)).data)
