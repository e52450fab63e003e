<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../main_window.py" line="253"/>
        <source>客户信息</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="271"/>
        <source>户号</source>
        <translation>Account no.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="272"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="273"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="274"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="275"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="278"/>
        <source>电话、户号或地址关键字</source>
        <translation>Phone, account no. or address fragment</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="280"/>
        <source>搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="294"/>
        <source>历史报修</source>
        <translation>Previous tickets</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="299"/>
        <source>IVR 按键信息</source>
        <translation>IVR answers</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="305"/>
        <source>▶ 播放语音描述</source>
        <translation>▶ Play voice description</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="308"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="309"/>
        <source>回电号码</source>
        <translation>Call-back number</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="310"/>
        <source>语音描述</source>
        <translation>Voice description</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="354"/>
        <source>没有找到匹配的客户</source>
        <translation>No matching customer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="360"/>
        <source>未识别的来电 %1，请搜索客户</source>
        <translation>Unknown caller %1 — search for the customer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="361"/>
        <source>暂无来电</source>
        <translation>No call</translation>
    </message>
</context>
<context>
    <name>AgentWindow</name>
    <message>
        <location filename="../main_window.py" line="736"/>
        <source>大龙供暖报修热线 — 座席</source>
        <translation>Dalong heating repair hotline — agent</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="745"/>
        <location filename="../main_window.py" line="917"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="747"/>
        <location filename="../main_window.py" line="960"/>
        <source>签入队列</source>
        <translation>Join queue</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="752"/>
        <location filename="../main_window.py" line="962"/>
        <source>示忙</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="757"/>
        <source>整理完成</source>
        <translation>Wrap-up done</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="761"/>
        <source>退出登录</source>
        <translation>Log out</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="762"/>
        <source>示忙原因</source>
        <translation>Pause reason</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="817"/>
        <source>小休</source>
        <translation>Break</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="817"/>
        <source>用餐</source>
        <translation>Meal</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="817"/>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="817"/>
        <source>会议</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="818"/>
        <source>处理回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="818"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="903"/>
        <source>登录成功</source>
        <translation>Logged in</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="913"/>
        <source>%1 %2（%3）</source>
        <translation>%1 %2 (%3)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="923"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="923"/>
        <source>领班</source>
        <translation>Team lead</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="923"/>
        <source>部长</source>
        <translation>Head</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="924"/>
        <source>管理员</source>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="940"/>
        <source>会话已结束</source>
        <translation>Session ended</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="960"/>
        <source>签出队列</source>
        <translation>Leave queue</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="962"/>
        <source>示闲</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="968"/>
        <source>未签入</source>
        <translation>Not in queue</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="970"/>
        <source>通话中</source>
        <translation>In call</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="972"/>
        <source>示忙: %1</source>
        <translation>Paused: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="974"/>
        <source>空闲等待来电</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="978"/>
        <source>话机已注册</source>
        <translation>Phone registered</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="979"/>
        <source>话机未注册</source>
        <translation>Phone not registered</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="979"/>
        <source>话机未注册 (%1)</source>
        <translation>Phone not registered (%1)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="983"/>
        <source>服务已连接</source>
        <translation>Service connected</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="985"/>
        <source>服务断开，正在重连…</source>
        <translation>Service lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="987"/>
        <source>服务未连接</source>
        <translation>Service not connected</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="994"/>
        <source>电话系统暂时不可用</source>
        <translation>Telephone system temporarily unavailable</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="998"/>
        <source>电话系统已重启，话机重新注册</source>
        <translation>The phone system restarted; the phone registers again</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1009"/>
        <source>来电人在接听前挂机；报修单草稿保留，可回电处理</source>
        <translation>The caller hung up before you answered; the draft ticket is kept for a call-back</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1026"/>
        <source>未识别客户</source>
        <translation>Unknown customer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1068"/>
        <source>话后整理 %1</source>
        <translation>Wrap-up %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1086"/>
        <source>报修单 %1 已保存</source>
        <translation>Ticket %1 saved</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1097"/>
        <location filename="../main_window.py" line="1115"/>
        <location filename="../main_window.py" line="1132"/>
        <source>未完成草稿 (%1)</source>
        <translation>Unfinished drafts (%1)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1103"/>
        <source>有 %1 张未保存的草稿，可从报修单右上角打开</source>
        <translation>%1 unsaved draft(s): open them at the top right of the ticket form</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1137"/>
        <source>正在下载语音描述…</source>
        <translation>Downloading the voice description…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1143"/>
        <source>正在耳机中播放语音描述</source>
        <translation>Playing the voice description in the headset</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1146"/>
        <source>已用系统播放器打开语音描述</source>
        <translation>Opened the voice description in the system player</translation>
    </message>
</context>
<context>
    <name>Labels</name>
    <message>
        <source>暖气不热</source>
        <translation type="vanished">No heat</translation>
    </message>
    <message>
        <source>漏水</source>
        <translation type="vanished">Leak</translation>
    </message>
    <message>
        <source>噪音或异响</source>
        <translation type="vanished">Noise</translation>
    </message>
    <message>
        <source>缴费及其他</source>
        <translation type="vanished">Billing and other</translation>
    </message>
    <message>
        <source>草稿</source>
        <translation type="vanished">draft</translation>
    </message>
    <message>
        <source>新建</source>
        <translation type="vanished">new</translation>
    </message>
    <message>
        <source>已派单</source>
        <translation type="vanished">dispatched</translation>
    </message>
    <message>
        <source>已联系</source>
        <translation type="vanished">contacted</translation>
    </message>
    <message>
        <source>已返单</source>
        <translation type="vanished">completed</translation>
    </message>
    <message>
        <source>已回访</source>
        <translation type="vanished">followed up</translation>
    </message>
    <message>
        <source>已关闭</source>
        <translation type="vanished">closed</translation>
    </message>
    <message>
        <source>是</source>
        <translation type="vanished">yes</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../main_window.py" line="47"/>
        <source>座席登录</source>
        <translation>Agent login</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="51"/>
        <source>例如 1001</source>
        <translation>e.g. 1001</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="56"/>
        <source>工号</source>
        <translation>Agent id</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="57"/>
        <source>密码</source>
        <translation>Password</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="61"/>
        <source>服务器: %1</source>
        <translation>Server: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="63"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="78"/>
        <source>请输入数字工号</source>
        <translation>Enter your numeric agent id</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="81"/>
        <source>请输入密码</source>
        <translation>Enter your password</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="83"/>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
</context>
<context>
    <name>Models</name>
    <message>
        <source>单号</source>
        <translation type="vanished">Ticket no.</translation>
    </message>
    <message>
        <source>日期</source>
        <translation type="vanished">Date</translation>
    </message>
    <message>
        <source>问题</source>
        <translation type="vanished">Problem</translation>
    </message>
    <message>
        <source>状态</source>
        <translation type="vanished">State</translation>
    </message>
    <message>
        <source>维修站</source>
        <translation type="vanished">Repair station</translation>
    </message>
    <message>
        <source>回电</source>
        <translation type="vanished">Call back</translation>
    </message>
    <message>
        <source>户号</source>
        <translation type="vanished">Account no.</translation>
    </message>
    <message>
        <source>姓名</source>
        <translation type="vanished">Name</translation>
    </message>
    <message>
        <source>地址</source>
        <translation type="vanished">Address</translation>
    </message>
    <message>
        <source>电话</source>
        <translation type="vanished">Phone</translation>
    </message>
</context>
<context>
    <name>ScriptPanel</name>
    <message>
        <location filename="../main_window.py" line="219"/>
        <source>话术</source>
        <translation>Script</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="220"/>
        <source>（登录后显示开场白）</source>
        <translation>(opening line after login)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="221"/>
        <source>好!维修人员会尽快跟您联系。感谢您的来电。再见!</source>
        <translation>Fine! A technician will contact you soon. Thank you for calling. Goodbye!</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="227"/>
        <source>开场白</source>
        <translation>Opening</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="229"/>
        <source>结束语</source>
        <translation>Closing</translation>
    </message>
</context>
<context>
    <name>SoftPhonePanel</name>
    <message>
        <location filename="../main_window.py" line="105"/>
        <source>软电话</source>
        <translation>Softphone</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="117"/>
        <source>● 录音中</source>
        <translation>● Recording</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="121"/>
        <source>接听</source>
        <translation>Answer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="123"/>
        <source>拒接</source>
        <translation>Reject</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="124"/>
        <source>挂机</source>
        <translation>Hang up</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="126"/>
        <source>保持</source>
        <translation>Hold</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="128"/>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="132"/>
        <source>领班工号</source>
        <translation>Team lead&apos;s id</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="134"/>
        <source>转接</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="183"/>
        <source>空闲</source>
        <translation>Idle</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="183"/>
        <source>来电振铃…</source>
        <translation>Ringing…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="183"/>
        <source>通话中</source>
        <translation>In call</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="184"/>
        <source>通话保持</source>
        <translation>On hold</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="184"/>
        <source>通话结束</source>
        <translation>Call ended</translation>
    </message>
</context>
<context>
    <name>TicketFormPanel</name>
    <message>
        <location filename="../main_window.py" line="407"/>
        <source>报修单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="416"/>
        <location filename="../main_window.py" line="616"/>
        <source>（无报修单）</source>
        <translation>(no ticket)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="419"/>
        <source>上次未保存的草稿</source>
        <translation>Drafts not saved last time</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="423"/>
        <location filename="../main_window.py" line="546"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="432"/>
        <location filename="../main_window.py" line="433"/>
        <location filename="../main_window.py" line="434"/>
        <location filename="../main_window.py" line="435"/>
        <source>已跟读确认</source>
        <translation>Read back</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="442"/>
        <source>补充说明（故障现象、上门时间等）</source>
        <translation>Notes (symptoms, visiting time, …)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="447"/>
        <source>单号</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="450"/>
        <location filename="../main_window.py" line="535"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="451"/>
        <location filename="../main_window.py" line="535"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="452"/>
        <location filename="../main_window.py" line="535"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="453"/>
        <source>回电电话</source>
        <translation>Call-back phone</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="458"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="461"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="463"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="467"/>
        <source>保存报修单</source>
        <translation>Save ticket</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="502"/>
        <source>暖气不热</source>
        <translation>No heat</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="502"/>
        <source>漏水</source>
        <translation>Leak</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="502"/>
        <source>噪音或异响</source>
        <translation>Noise</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="503"/>
        <source>缴费及其他</source>
        <translation>Billing and other</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="506"/>
        <source>普通</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="506"/>
        <source>加急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="506"/>
        <source>紧急</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="533"/>
        <source>本次来电没有报修单</source>
        <translation>This call has no ticket</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="536"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="537"/>
        <source>请向来电人跟读确认: %1</source>
        <translation>Read back to the caller: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="573"/>
        <source>按地址建议</source>
        <translation>Suggested by address</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="576"/>
        <source>与建议不同</source>
        <translation>Differs from suggestion</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="636"/>
        <source>已恢复草稿</source>
        <translation>Draft restored</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="676"/>
        <source>草稿已自动保存 %1</source>
        <translation>Draft autosaved %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="681"/>
        <source>草稿未能保存: %1</source>
        <translation>Draft not saved: %1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="689"/>
        <source>请选择问题类型</source>
        <translation>Choose the problem type</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="692"/>
        <source>请填写地址</source>
        <translation>Enter the address</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="696"/>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="705"/>
        <source>报修单已保存</source>
        <translation>Ticket saved</translation>
    </message>
</context>
</TS>
