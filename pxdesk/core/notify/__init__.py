"""Run notifications: e-mail through SMTP, and the digest rule that keeps failures from spamming."""
