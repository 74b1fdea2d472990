"""Kenes: a consultation desk for Kazakhstan's NGOs on Telegram."""
