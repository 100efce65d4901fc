"""A receiver's answer to a DC-09 message: read it, check it, and say if it is ours.

Answers are DC-09 messages themselves (``framing.py``): ``"ACK"`` (taken), ``"RSP"``
(taken, with data for the sender), ``"DUH"`` (understood, but the receiver does not handle
that content or code), ``"NAK"`` (refused: it carries the receiver's clock, so a sender
whose timestamp was out of the receiver's window can re-stamp and send again). A receiver
encrypts its ACK to an encrypted message (``"*ACK"``) with the same key; NAK and DUH
usually come in the clear.

:func:`parse_answer` checks the framing (CRC, length) and, for an encrypted answer,
decrypts it; :func:`acknowledges` says whether an answer takes *our* message: an ACK or
RSP with our sequence number and account, encrypted if our message was. Anything else,
including a well-formed ACK of another sequence number, is not a delivery. An answer's
extended data is never kept (pysiaalarm echoes the receiver's key in a ``[K...]`` field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .crypto import SiaKey, open_sealed
from .framing import FrameError, Token, decode_block, parse_address, parse_data

ANSWERS = frozenset({Token.ACK, Token.NAK, Token.DUH, Token.RSP})
TAKEN = frozenset({Token.ACK, Token.RSP})


class AnswerError(FrameError):
    """Raised for bytes that are not a well-formed answer (or not one we can open)."""


@dataclass(frozen=True, slots=True)
class ReceiverAnswer:
    """What a receiver answered: which answer, to which sequence and account, and when."""

    token: Token
    sequence: int
    account: str | None  # None when the answer's address is not the strict form (NAK)
    encrypted: bool
    timestamp: datetime | None  # the receiver's clock, when the answer carries it


def parse_answer(raw: bytes, key: SiaKey | None) -> ReceiverAnswer:
    """Return the answer framed in ``raw``; raises :class:`AnswerError` (a FrameError).

    ``key`` opens an encrypted answer; without one an encrypted answer is an error.
    """
    try:
        block = decode_block(raw)
    except FrameError as err:
        raise AnswerError(str(err)) from None
    if block.token not in ANSWERS:
        raise AnswerError(f"{block.token} is not an answer")
    plain = block.data
    if block.encrypted:
        if key is None:
            raise AnswerError("encrypted answer to an unencrypted sender")
        try:
            plain = open_sealed(key, block.data)
        except FrameError as err:
            raise AnswerError(str(err)) from None
    try:
        data = parse_data(plain)
    except FrameError as err:
        raise AnswerError(f"answer's data block: {err}") from None
    try:
        account = parse_address(block.address).account
    except FrameError:
        if block.token is not Token.NAK:  # pysiaalarm's NAK says "L0R0A0"
            raise AnswerError("answer's address is not R..L..#account") from None
        account = None
    return ReceiverAnswer(
        block.token, block.sequence, account, block.encrypted, data.timestamp
    )


def is_ours(
    answer: ReceiverAnswer, sequence: int, account: str, *, encrypted: bool
) -> bool:
    """Return True when ``answer`` names our sequence number and account.

    An ACK/RSP must also be encrypted exactly when our message was (an encrypted ACK
    proves the receiver holds the key). A NAK names neither (its sequence is 0000): it
    is taken as the answer to what was just sent.
    """
    if answer.token is Token.NAK:
        return True
    if answer.sequence != sequence or answer.account != account:
        return False
    return answer.token not in TAKEN or answer.encrypted == encrypted


def acknowledges(
    answer: ReceiverAnswer, sequence: int, account: str, *, encrypted: bool
) -> bool:
    """Return True when ``answer`` takes our message (an ACK or RSP that is ours)."""
    return answer.token in TAKEN and is_ours(
        answer, sequence, account, encrypted=encrypted
    )
