"""Per-marketplace branding (tenant schema): name, colours, logo, email sender."""
