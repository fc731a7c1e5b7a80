"""Sign-in and security: two-factor authentication, lock-out, password change and reset."""
