"""The provider dashboard's pages, one module per side-menu section."""
