"""Pieces for the platform's browser pages: sign-in through the identity provider (`login`), server-side
sessions (`sessions`) and the pages of the sign-in itself (`login_pages`)."""
