<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../widgets/account_panel.py" line="24"/>
        <source>客户信息</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="42"/>
        <source>户号</source>
        <translation>Account no.</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="43"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="44"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="45"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="46"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="49"/>
        <source>电话、户号或地址关键字</source>
        <translation>Phone, account no. or address fragment</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="51"/>
        <source>搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="65"/>
        <source>历史报修</source>
        <translation>Previous tickets</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="70"/>
        <source>IVR 按键信息</source>
        <translation>IVR answers</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="76"/>
        <source>▶ 播放语音描述</source>
        <translation>▶ Play voice description</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="79"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="80"/>
        <source>回电号码</source>
        <translation>Call-back number</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="81"/>
        <source>语音描述</source>
        <translation>Voice description</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="112"/>
        <source>没有找到匹配的客户</source>
        <translation>No matching customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="118"/>
        <source>未识别的来电 %1，请搜索客户</source>
        <translation>Unknown caller %1 — search for the customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="119"/>
        <source>暂无来电</source>
        <translation>No call</translation>
    </message>
</context>
<context>
    <name>AgentWindow</name>
    <message>
        <location filename="../widgets/main_window.py" line="63"/>
        <source>大龙供暖报修热线 — 座席</source>
        <extracomment>shown until a login answer brings the server&apos;s own list (the server accepts only that list)</extracomment>
        <translation>Dalong heating repair hotline — agent</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="72"/>
        <location filename="../widgets/main_window.py" line="293"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="74"/>
        <location filename="../widgets/main_window.py" line="331"/>
        <source>签入队列</source>
        <translation>Join queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="78"/>
        <location filename="../widgets/main_window.py" line="333"/>
        <source>示忙</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="83"/>
        <source>整理完成</source>
        <translation>Wrap-up done</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="87"/>
        <source>我的录音</source>
        <translation>My recordings</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="88"/>
        <source>退出登录</source>
        <translation>Log out</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="89"/>
        <source>示忙原因</source>
        <translation>Pause reason</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="157"/>
        <source>小休</source>
        <translation>Break</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="157"/>
        <source>用餐</source>
        <translation>Meal</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="157"/>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="157"/>
        <source>会议</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="158"/>
        <source>处理回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="158"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="158"/>
        <location filename="../widgets/main_window.py" line="343"/>
        <source>话后整理</source>
        <translation>Wrap-up</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="159"/>
        <source>未接听</source>
        <translation>Not answered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="174"/>
        <source>来电未接听，已自动示忙（未接听）；点击“示闲”恢复接听</source>
        <translation>A call rang out unanswered: you were set to Busy (Not answered). Click “Available” to take calls again</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="204"/>
        <source>录音</source>
        <translation>the recording</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="278"/>
        <source>登录成功</source>
        <translation>Logged in</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="289"/>
        <source>%1 %2（%3）</source>
        <translation>%1 %2 (%3)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="299"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="299"/>
        <source>领班</source>
        <translation>Team lead</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="299"/>
        <source>部长</source>
        <translation>Head</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="300"/>
        <source>管理员</source>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="314"/>
        <source>会话已结束</source>
        <translation>Session ended</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="331"/>
        <source>签出队列</source>
        <translation>Leave queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="333"/>
        <source>示闲</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="339"/>
        <source>未签入</source>
        <translation>Not in queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="341"/>
        <source>通话中</source>
        <translation>In call</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="345"/>
        <source>示忙: %1</source>
        <translation>Paused: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="347"/>
        <source>空闲等待来电</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="351"/>
        <source>话机已注册</source>
        <translation>Phone registered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="352"/>
        <source>话机未注册</source>
        <translation>Phone not registered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="352"/>
        <source>话机未注册 (%1)</source>
        <translation>Phone not registered (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="354"/>
        <source>话机注册被拒绝（%1），请联系管理员核对您的话机账号</source>
        <translation>Phone registration refused (%1); ask the admin to check your phone account</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="358"/>
        <source>服务已连接</source>
        <translation>Service connected</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="360"/>
        <source>服务断开，正在重连…</source>
        <translation>Service lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="362"/>
        <source>服务未连接</source>
        <translation>Service not connected</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="180"/>
        <source>电话系统暂时不可用</source>
        <translation>Telephone system temporarily unavailable</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="366"/>
        <source>电话系统已重启，话机重新注册</source>
        <translation>The phone system restarted; the phone registers again</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="179"/>
        <source>来电人在接听前挂机；报修单草稿保留，可回电处理</source>
        <translation>The caller hung up before you answered; the draft ticket is kept for a call-back</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="380"/>
        <source>未识别客户</source>
        <translation>Unknown customer</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="410"/>
        <source>报修单 %1 已保存</source>
        <translation>Ticket %1 saved</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="177"/>
        <source>有 %1 张未保存的草稿，可从报修单右上角打开</source>
        <translation>%1 unsaved draft(s): open them at the top right of the ticket form</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="433"/>
        <source>正在下载语音描述…</source>
        <translation>Downloading the voice description…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="202"/>
        <source>语音描述</source>
        <translation>the voice description</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="393"/>
        <source>话后整理 剩余 %1</source>
        <translation>Wrap-up, %1 left</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="425"/>
        <source>已新建报修单 %1</source>
        <translation>New ticket %1 created</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="439"/>
        <source>正在耳机中播放%1</source>
        <translation>Playing %1 in the headset</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="441"/>
        <source>已用系统播放器打开%1</source>
        <translation>Opened %1 in the system player</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <location filename="../models/labels.py" line="12"/>
        <source>暖气不热</source>
        <translation>No heat</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="12"/>
        <source>漏水</source>
        <translation>Leak</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="13"/>
        <source>噪音或异响</source>
        <translation>Noise</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="13"/>
        <source>缴费及其他</source>
        <translation>Billing and other</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="16"/>
        <source>草稿</source>
        <translation>draft</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="16"/>
        <source>新建</source>
        <translation>new</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="17"/>
        <source>已派单</source>
        <translation>dispatched</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="17"/>
        <source>已联系</source>
        <translation>contacted</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="17"/>
        <source>已接单</source>
        <translation>Accepted</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="18"/>
        <source>已返单</source>
        <translation>completed</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="18"/>
        <source>已回访</source>
        <translation>followed up</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="19"/>
        <source>已关闭</source>
        <translation>closed</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="19"/>
        <source>已解决</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="20"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="21"/>
        <source>是</source>
        <translation>yes</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../widgets/login_dialog.py" line="17"/>
        <source>座席登录</source>
        <translation>Agent login</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="21"/>
        <source>例如 1001</source>
        <translation>e.g. 1001</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="26"/>
        <source>工号</source>
        <translation>Agent id</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="27"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="31"/>
        <source>服务器: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="33"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="48"/>
        <source>请输入数字工号</source>
        <translation>Enter your numeric agent id</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="51"/>
        <source>请输入密码</source>
        <translation>Enter your password</translation>
    </message>
    <message>
        <location filename="../widgets/login_dialog.py" line="53"/>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <location filename="../models/tables.py" line="82"/>
        <source>单号</source>
        <extracomment>(header source string, function row → display text)</extracomment>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="83"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="84"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="85"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="86"/>
        <location filename="../models/tables.py" line="106"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="87"/>
        <source>回电</source>
        <translation>Call back</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="102"/>
        <source>户号</source>
        <translation>Account no.</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="103"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="104"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="105"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="118"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="119"/>
        <source>来电</source>
        <translation>Caller</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="120"/>
        <source>报修单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../models/tables.py" line="121"/>
        <source>时长</source>
        <translation>Length</translation>
    </message>
</context>
<context>
    <name>RecordingsDialog</name>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="19"/>
        <source>我的录音</source>
        <translation>My recordings</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="24"/>
        <source>回放</source>
        <translation>Replay</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="26"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="28"/>
        <source>录音保存在热线服务器上，只能回放本人接听的通话；每次回放都会记录。</source>
        <translation>Recordings stay on the hotline server; you can replay only calls you answered, and every replay is logged.</translation>
    </message>
</context>
<context>
    <name>ScriptPanel</name>
    <message>
        <location filename="../widgets/script_panel.py" line="14"/>
        <source>话术</source>
        <translation>Script</translation>
    </message>
    <message>
        <location filename="../widgets/script_panel.py" line="15"/>
        <source>（登录后显示开场白）</source>
        <translation>(opening line after login)</translation>
    </message>
    <message>
        <location filename="../widgets/script_panel.py" line="17"/>
        <source>好!维修人员会尽快跟您联系。感谢您的来电。再见!</source>
        <translation>Fine! A technician will contact you soon. Thank you for calling. Goodbye!</translation>
    </message>
    <message>
        <location filename="../widgets/script_panel.py" line="24"/>
        <source>开场白</source>
        <translation>Opening</translation>
    </message>
    <message>
        <location filename="../widgets/script_panel.py" line="26"/>
        <source>跟读确认</source>
        <translation>Read back</translation>
    </message>
    <message>
        <location filename="../widgets/script_panel.py" line="30"/>
        <source>结束语</source>
        <translation>Closing</translation>
    </message>
</context>
<context>
    <name>SoftPhonePanel</name>
    <message>
        <location filename="../widgets/softphone_panel.py" line="36"/>
        <source>软电话</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="48"/>
        <source>● 录音中</source>
        <translation>● Recording</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="52"/>
        <source>接听</source>
        <translation>Answer</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="54"/>
        <source>拒接</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="55"/>
        <source>挂机</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="57"/>
        <source>保持</source>
        <translation>Hold</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="59"/>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="68"/>
        <source>转接</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="131"/>
        <location filename="../widgets/softphone_panel.py" line="171"/>
        <source>空闲</source>
        <translation>Idle</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="171"/>
        <source>来电振铃…</source>
        <translation>Ringing…</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="131"/>
        <location filename="../widgets/softphone_panel.py" line="171"/>
        <source>通话中</source>
        <translation>In call</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="65"/>
        <source>转接对象：已登录的领班和座席</source>
        <translation>Transfer to: team leads and agents logged in now</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="69"/>
        <source>直接转接（盲转）</source>
        <translation>Transfer at once (blind)</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="71"/>
        <source>咨询</source>
        <translation>Consult</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="72"/>
        <source>保持来电，先与对方通话</source>
        <translation>Hold the caller and talk to the target first</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="74"/>
        <source>完成转接</source>
        <translation>Complete transfer</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="76"/>
        <source>取回</source>
        <translation>Take back</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="77"/>
        <source>结束咨询，回到来电</source>
        <translation>End the consultation, back to the caller</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="130"/>
        <source>领班</source>
        <translation>Team lead</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="130"/>
        <source>部长</source>
        <translation>Head</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="130"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="131"/>
        <source>振铃中</source>
        <translation>Ringing</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="132"/>
        <source>示忙</source>
        <translation>Paused</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="132"/>
        <source>电话未注册</source>
        <translation>Phone not registered</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="172"/>
        <source>通话保持</source>
        <translation>On hold</translation>
    </message>
    <message>
        <location filename="../widgets/softphone_panel.py" line="172"/>
        <source>通话结束</source>
        <translation>Call ended</translation>
    </message>
</context>
<context>
    <name>TicketFormPanel</name>
    <message>
        <location filename="../widgets/ticket_form.py" line="38"/>
        <source>报修单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="47"/>
        <location filename="../widgets/ticket_form.py" line="267"/>
        <source>（无报修单）</source>
        <translation>(no ticket)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="50"/>
        <source>上次未保存的草稿</source>
        <translation>Drafts not saved last time</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="53"/>
        <source>新建报修单</source>
        <translation>New ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="54"/>
        <source>为这通来电另建一张报修单（无自动草稿或第二个问题）</source>
        <translation>Open another ticket for this call (no IVR draft, or a second problem)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="59"/>
        <location filename="../widgets/ticket_form.py" line="197"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="68"/>
        <location filename="../widgets/ticket_form.py" line="69"/>
        <location filename="../widgets/ticket_form.py" line="70"/>
        <location filename="../widgets/ticket_form.py" line="71"/>
        <source>已跟读确认</source>
        <translation>Read back</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="78"/>
        <source>通话中已解决（无需派修）</source>
        <translation>Resolved on the call (no repair needed)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="80"/>
        <source>补充说明（故障现象、上门时间等）</source>
        <translation>Notes (symptoms, visiting time, …)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="85"/>
        <source>单号</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="91"/>
        <location filename="../widgets/ticket_form.py" line="186"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="92"/>
        <location filename="../widgets/ticket_form.py" line="186"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="93"/>
        <location filename="../widgets/ticket_form.py" line="186"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="94"/>
        <source>回电电话</source>
        <translation>Call-back phone</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="99"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="102"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="105"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="109"/>
        <source>保存报修单</source>
        <translation>Save ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="145"/>
        <source>暖气不热</source>
        <translation>No heat</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="145"/>
        <source>漏水</source>
        <translation>Leak</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="145"/>
        <source>噪音或异响</source>
        <translation>Noise</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="146"/>
        <source>缴费及其他</source>
        <translation>Billing and other</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="149"/>
        <source>普通</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="149"/>
        <source>加急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="149"/>
        <source>紧急</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="180"/>
        <source>本次来电没有报修单</source>
        <translation>This call has no ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="183"/>
        <source>备注最多 %1 字（现在 %2 字），请精简后保存</source>
        <translation>Notes hold at most %1 characters (now %2); shorten them to save</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="187"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="188"/>
        <source>请向来电人跟读确认: %1</source>
        <translation>Read back to the caller: %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="224"/>
        <source>按地址建议</source>
        <translation>Suggested by address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="227"/>
        <source>与建议不同</source>
        <translation>Differs from suggestion</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="288"/>
        <source>已恢复草稿</source>
        <translation>Draft restored</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="334"/>
        <source>未完成草稿 (%1)</source>
        <translation>Unfinished drafts (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="353"/>
        <source>草稿已自动保存 %1</source>
        <translation>Draft autosaved %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="358"/>
        <source>草稿未能保存: %1</source>
        <translation>Draft not saved: %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="366"/>
        <source>请选择问题类型</source>
        <translation>Choose the problem type</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="369"/>
        <source>请填写地址</source>
        <translation>Enter the address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="373"/>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="382"/>
        <source>报修单已保存</source>
        <translation>Ticket saved</translation>
    </message>
</context>
</TS>
