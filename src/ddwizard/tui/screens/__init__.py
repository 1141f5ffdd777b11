"""Screens of the wizard, one module each: home, questions (mandate and diligence), weights,
results, review, export, help and small modals."""
