"""What `AgiChannel` sends Asterisk: several sounds are one command, not one round trip each."""
import pytest

from ivr.channel import KEYS_VAR, AgiChannel


class Asterisk:
    """Answers AGI command lines as Asterisk would; `keys` is what the caller pressed in a Read()."""

    def __init__(self, keys: str = "", stream_result: str = "0"):
        self.lines: list[str] = []
        self.keys, self.stream_result = keys, stream_result

    async def send(self, line: str) -> tuple[int, str, str]:
        self.lines.append(line)
        if line.startswith("GET VARIABLE"):
            return (200, "1", self.keys) if self.keys else (200, "0", "")
        if line.startswith("STREAM FILE"):
            return 200, self.stream_result, "endpos=1000"
        return 200, "0", ""


def channel(asterisk: Asterisk) -> AgiChannel:
    return AgiChannel(asterisk.send, {"agi_uniqueid": "1700000000.1"})


async def test_one_sound_is_one_stream_file_and_returns_its_escape_key():
    asterisk = Asterisk(stream_result=str(ord("*")))
    assert await channel(asterisk).play("hotline/ticket_number_is", escape="*") == "*"
    assert asterisk.lines == ['STREAM FILE hotline/ticket_number_is "*"']


async def test_several_sounds_without_an_escape_are_one_playback():
    asterisk = Asterisk()
    assert await channel(asterisk).play("hotline/ticket_status_intro", "digits/2", "digits/6") == ""
    assert asterisk.lines == ['EXEC Playback "hotline/ticket_status_intro&digits/2&digits/6"']


async def test_a_ticket_number_with_an_escape_is_one_read_and_returns_the_escape_key():
    asterisk = Asterisk(keys="*")
    sounds = ["hotline/ticket_number_is", *(f"digits/{d}" for d in "2612040001"), "hotline/ticket_number_repeat"]
    assert await channel(asterisk).play(*sounds, escape="*") == "*"
    assert asterisk.lines == [f'EXEC Read "{KEYS_VAR},{"&".join(sounds)},1,,1,0.001"', f"GET VARIABLE {KEYS_VAR}"]


async def test_a_key_that_is_not_an_escape_is_not_returned():
    asterisk = Asterisk(keys="5")
    assert await channel(asterisk).play("hotline/a", "hotline/b", escape="*") == ""


@pytest.mark.parametrize("bad", ["hotline/a&/etc/passwd", "a,b", "hotline/a b", 'x"y', "a\nb", ""])
async def test_a_sound_that_could_split_the_file_list_is_refused_before_anything_is_sent(bad):
    asterisk = Asterisk()
    with pytest.raises(ValueError):
        await channel(asterisk).play("hotline/ok", bad)
    assert asterisk.lines == []
