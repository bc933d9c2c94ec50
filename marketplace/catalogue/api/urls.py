from django.urls import path

from marketplace.catalogue.api import views

urlpatterns = [
    path("categories/", views.CategoryListView.as_view(), name="categories"),
    path("categories/<str:public_id>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path("categories/<str:public_id>/attributes/", views.AttributeListView.as_view(), name="category-attributes"),
    path(
        "categories/<str:public_id>/attributes/<slug:key>/",
        views.AttributeDetailView.as_view(),
        name="category-attribute-detail",
    ),
]
