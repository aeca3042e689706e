"""A Twilio-compatible fake server for tests, and the OpenAPI contract checker it applies."""

from tests.fakes.twilio_fake.calls import Callee, FakeCall
from tests.fakes.twilio_fake.contract import OpenApiContract
from tests.fakes.twilio_fake.server import FakeTwilio, running_fake, serving_fake

__all__ = ["Callee", "FakeCall", "FakeTwilio", "OpenApiContract", "running_fake", "serving_fake"]
