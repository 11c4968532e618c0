"""Notifications from the command line on macOS and Windows, through the system's own tools
(no click-back: the process that sent them has exited by then). Not run on this project's
Linux machines; the app on those systems uses Qt's tray messages instead."""

from __future__ import annotations

import subprocess

from . import Notice, NotifyError

TIMEOUT_S = 20


def _run(command: list[str]) -> None:
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.SubprocessError) as error:
        raise NotifyError(f"Could not show the notification ({type(error).__name__}).") from None


def _quoted(text: str, quote: str) -> str:
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote) if quote == '"' else text.replace("'", "''")


class OsascriptNotifier:
    """macOS Notification Center."""

    def send(self, notice: Notice) -> None:
        script = (f'display notification "{_quoted(notice.body, chr(34))}" with title "MySSL Desktop" '
                  f'subtitle "{_quoted(notice.title, chr(34))}"')
        _run(["osascript", "-e", script])

    def close(self) -> None:
        pass


class ToastNotifier:
    """A Windows 10/11 toast, through PowerShell and Windows.UI.Notifications."""

    # A toast needs an AppUserModelID that has a Start-menu shortcut: PowerShell's always has one
    # (ours would need the installer to stamp the shortcut with it).
    APP_ID = r"{1AC14E77-02E7-4E5D-B744-2EB1AE5198B7}\WindowsPowerShell\v1.0\powershell.exe"

    def send(self, notice: Notice) -> None:
        title, body = _quoted(notice.title, "'"), _quoted(notice.body, "'")
        script = (
            "[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType=WindowsRuntime]"
            " | Out-Null; $t = [Windows.UI.Notifications.ToastNotificationManager]::GetTemplateContent("
            "[Windows.UI.Notifications.ToastTemplateType]::ToastText02); $x = $t.GetElementsByTagName('text'); "
            f"$x.Item(0).AppendChild($t.CreateTextNode('{title}')) | Out-Null; "
            f"$x.Item(1).AppendChild($t.CreateTextNode('{body}')) | Out-Null; "
            "[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier("
            f"'{self.APP_ID}').Show([Windows.UI.Notifications.ToastNotification]::new($t))")
        _run(["powershell", "-NoProfile", "-NonInteractive", "-Command", script])

    def close(self) -> None:
        pass


__all__ = ["OsascriptNotifier", "ToastNotifier"]
