"""The login dialog: 工号 + 密码."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout

from desktop.widgets.common import GREY, RED
from common import wire


class LoginDialog(QDialog):
    """工号 + 密码; stays open and shows the server's message when login fails."""
    submitted = Signal(str, str)

    def __init__(self, parent=None, api_url: str = "", agent_no: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("座席登录"))
        self.setModal(True)
        form = QFormLayout()
        self.agent_no = QLineEdit(agent_no)
        self.agent_no.setPlaceholderText(self.tr("例如 1001"))
        self.agent_no.setMaxLength(wire.AGENT_NO_MAX)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(wire.PASSWORD_MAX)
        form.addRow(self.tr("工号"), self.agent_no)
        form.addRow(self.tr("密码"), self.password)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet(f"color:{RED}")
        self.server = QLabel(self.tr("服务器: %1").replace("%1", api_url))
        self.server.setStyleSheet(f"color:{GREY}")
        self.login_button = QPushButton(self.tr("登录"))
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.server)
        lay.addWidget(self.login_button)
        self.setMinimumWidth(340)
        (self.password if agent_no else self.agent_no).setFocus()

    def _submit(self) -> None:
        no, pw = self.agent_no.text().strip(), self.password.text()
        if not no.isdigit():
            self.show_error(self.tr("请输入数字工号"))
            return
        if not pw:
            self.show_error(self.tr("请输入密码"))
            return
        self.message.setText(self.tr("正在登录…"))
        self.message.setStyleSheet(f"color:{GREY}")
        self.login_button.setEnabled(False)
        self.submitted.emit(no, pw)

    def show_error(self, msg: str) -> None:
        self.message.setStyleSheet(f"color:{RED}")
        self.message.setText(msg)
        self.login_button.setEnabled(True)
        self.password.selectAll()
        self.password.setFocus()
