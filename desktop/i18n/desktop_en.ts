<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="zh_CN">
<context>
    <name>AccountPanel</name>
    <message>
        <location filename="../widgets/account_panel.py" line="26"/>
        <source>客户信息</source>
        <translation>Customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="49"/>
        <source>户号</source>
        <translation>Account no.</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="50"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="51"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="52"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="53"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="56"/>
        <source>电话、户号或地址关键字</source>
        <translation>Phone, account no. or address fragment</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="58"/>
        <source>搜索</source>
        <translation>Search</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="72"/>
        <source>历史报修</source>
        <translation>Previous tickets</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="77"/>
        <source>IVR 按键信息</source>
        <translation>IVR answers</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="83"/>
        <source>▶ 播放语音描述</source>
        <translation>▶ Play voice description</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="86"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="87"/>
        <source>回电号码</source>
        <translation>Call-back number</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="88"/>
        <source>语音描述</source>
        <translation>Voice description</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="119"/>
        <source>没有找到匹配的客户</source>
        <translation>No matching customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="125"/>
        <source>未识别的来电 %1，请搜索客户</source>
        <translation>Unknown caller %1 — search for the customer</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="126"/>
        <source>暂无来电</source>
        <translation>No call</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="165"/>
        <source>此住户在回电列表上:报修单 %1(%2,已等 %3)。接通后这条回电自动完成。</source>
        <translation>This resident is on the call-back list: ticket %1 (%2, waiting %3). The call-back is done once this call is answered.</translation>
    </message>
    <message>
        <location filename="../widgets/account_panel.py" line="169"/>
        <source>(已由 %1 领取)</source>
        <translation> (taken by %1)</translation>
    </message>
</context>
<context>
    <name>AddCallDialog</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="226"/>
        <source>添加到抽查</source>
        <translation>Add to the sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="234"/>
        <source>加入抽查</source>
        <translation>Add to sample</translation>
    </message>
</context>
<context>
    <name>AgentWindow</name>
    <message>
        <location filename="../widgets/main_window.py" line="95"/>
        <source>大龙供暖报修热线 — 座席</source>
        <extracomment>shown until a login answer brings the server&apos;s own list (the server accepts only that list)</extracomment>
        <translation>Dalong heating repair hotline — agent</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="104"/>
        <location filename="../widgets/main_window.py" line="444"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="106"/>
        <location filename="../widgets/main_window.py" line="752"/>
        <source>签入队列</source>
        <translation>Join queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="110"/>
        <location filename="../widgets/main_window.py" line="754"/>
        <source>示忙</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="115"/>
        <source>整理完成</source>
        <translation>Wrap-up done</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="119"/>
        <source>我的录音</source>
        <translation>My recordings</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="120"/>
        <source>退出登录</source>
        <translation>Log out</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="121"/>
        <source>示忙原因</source>
        <translation>Pause reason</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="177"/>
        <source>来电</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="178"/>
        <location filename="../widgets/main_window.py" line="574"/>
        <source>工单</source>
        <translation>Tickets</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="179"/>
        <source>异常登记</source>
        <translation>Anomalies</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="180"/>
        <location filename="../widgets/main_window.py" line="655"/>
        <source>回电</source>
        <translation>Call-backs</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="181"/>
        <source>回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="183"/>
        <source>报表</source>
        <translation>Reports</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="184"/>
        <source>看板</source>
        <translation>Board</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="227"/>
        <source>小休</source>
        <translation>Break</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="227"/>
        <source>用餐</source>
        <translation>Meal</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="227"/>
        <source>培训</source>
        <translation>Training</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="227"/>
        <source>会议</source>
        <translation>Meeting</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="228"/>
        <source>处理回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="228"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="228"/>
        <location filename="../widgets/main_window.py" line="764"/>
        <source>话后整理</source>
        <translation>Wrap-up</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="229"/>
        <source>未接听</source>
        <translation>Not answered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="245"/>
        <source>来电未接听，已自动示忙（未接听）；点击“示闲”恢复接听</source>
        <translation>A call rang out unanswered: you were set to Busy (Not answered). Click “Available” to take calls again</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="277"/>
        <source>录音</source>
        <translation>the recording</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="417"/>
        <source>登录成功</source>
        <translation>Logged in</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="440"/>
        <source>%1 %2（%3）</source>
        <translation>%1 %2 (%3)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="450"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="450"/>
        <source>领班</source>
        <translation>Team lead</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="450"/>
        <source>部长</source>
        <translation>Head</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="451"/>
        <source>管理员</source>
        <translation>Admin</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="451"/>
        <source>维修站</source>
        <translation>Station</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="452"/>
        <source>统计员</source>
        <translation>Statistician</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="466"/>
        <source>会话已结束</source>
        <translation>Session ended</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="574"/>
        <source>工单 (待确认 %1)</source>
        <translation>Tickets (%1 to confirm)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="580"/>
        <source>报修单 %1：%2</source>
        <translation>Ticket %1: %2</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="581"/>
        <location filename="../widgets/main_window.py" line="665"/>
        <source>已更新</source>
        <translation>updated</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="586"/>
        <source>已建续报单 %1</source>
        <translation>Follow-up ticket %1 created</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="592"/>
        <source>异常事件已记录：%1</source>
        <translation>Anomaly recorded: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="593"/>
        <source>异常事件已保存</source>
        <translation>Anomaly saved</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="606"/>
        <source>已预约回访:%1</source>
        <translation>Follow-up booked for %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="629"/>
        <source>正在通话中:请先处理这通来电的报修单,再打开回电工单 %1</source>
        <translation>On a call: finish this caller&apos;s ticket before opening call-back ticket %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="632"/>
        <source>正在打开报修单 %1…</source>
        <translation>Opening ticket %1…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="656"/>
        <source>回电 报修单 %1（%2）：与住户核实后跟读确认并保存；已解决或不再需要维修请勾选相应选项。保存后回到“回电”记录结果。</source>
        <translation>Call-back, ticket %1 (%2): check it with the resident, read it back and save; tick resolved or cancel if no repair is needed. Then record the outcome on Call-backs.</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="664"/>
        <source>报修单 %1 已保存（%2）：请在“回电”记录结果</source>
        <translation>Ticket %1 saved (%2): record the outcome on Call-backs</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="680"/>
        <source>回电</source>
        <comment>kind of call out</comment>
        <translation>call-back</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="680"/>
        <source>回访</source>
        <comment>kind of call out</comment>
        <translation>follow-up</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="690"/>
        <source>话机未注册或正在通话,不能呼叫</source>
        <translation>The phone is not registered or is on a call: cannot call out</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="696"/>
        <source>正在呼叫(报修单 %1):您的话机将先响并自动接通</source>
        <translation>Calling (ticket %1): your phone rings first and answers by itself</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="712"/>
        <source>外呼(%1)%2</source>
        <translation>Calling out (%1) %2</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="714"/>
        <source>外呼:正在呼叫住户 %1,请稍候</source>
        <translation>Calling out: ringing the resident %1, please wait</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="721"/>
        <source>外呼已结束(报修单 %1):请记录结果</source>
        <translation>Call out ended (ticket %1): please record the outcome</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="726"/>
        <source>回访已保存:%1</source>
        <translation>Follow-up saved: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="728"/>
        <source>,问题未解决,已重开为 %1 并通知领班</source>
        <translation>; not solved: reopened as %1, team leads notified</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="752"/>
        <source>签出队列</source>
        <translation>Leave queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="754"/>
        <source>示闲</source>
        <translation>Resume</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="760"/>
        <source>未签入</source>
        <translation>Not in queue</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="762"/>
        <source>通话中</source>
        <translation>In call</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="766"/>
        <source>示忙: %1</source>
        <translation>Paused: %1</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="768"/>
        <source>空闲等待来电</source>
        <translation>Ready</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="772"/>
        <source>话机已注册</source>
        <translation>Phone registered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="773"/>
        <source>话机未注册</source>
        <translation>Phone not registered</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="773"/>
        <source>话机未注册 (%1)</source>
        <translation>Phone not registered (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="775"/>
        <source>话机注册被拒绝（%1），请联系管理员核对您的话机账号</source>
        <translation>Phone registration refused (%1); ask the admin to check your phone account</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="779"/>
        <source>服务已连接</source>
        <translation>Service connected</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="781"/>
        <source>服务断开，正在重连…</source>
        <translation>Service lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="783"/>
        <source>服务未连接</source>
        <translation>Service not connected</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="251"/>
        <source>电话系统暂时不可用</source>
        <translation>Telephone system temporarily unavailable</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="787"/>
        <source>电话系统已重启，话机重新注册</source>
        <translation>The phone system restarted; the phone registers again</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="250"/>
        <source>来电人在接听前挂机；报修单草稿保留，可回电处理</source>
        <translation>The caller hung up before you answered; the draft ticket is kept for a call-back</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="801"/>
        <source>未识别客户</source>
        <translation>Unknown customer</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="834"/>
        <source>报修单 %1 已保存</source>
        <translation>Ticket %1 saved</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="248"/>
        <source>有 %1 张未保存的草稿，可从报修单右上角打开</source>
        <translation>%1 unsaved draft(s): open them at the top right of the ticket form</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="855"/>
        <source>正在下载语音描述…</source>
        <translation>Downloading the voice description…</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="275"/>
        <source>语音描述</source>
        <translation>the voice description</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="814"/>
        <source>话后整理 剩余 %1</source>
        <translation>Wrap-up, %1 left</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="847"/>
        <source>已新建报修单 %1</source>
        <translation>New ticket %1 created</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="861"/>
        <source>正在耳机中播放%1</source>
        <translation>Playing %1 in the headset</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="863"/>
        <source>已用系统播放器打开%1</source>
        <translation>Opened %1 in the system player</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="182"/>
        <source>质检</source>
        <translation>Quality</translation>
    </message>
    <message>
        <location filename="../widgets/main_window.py" line="719"/>
        <source>监听已结束</source>
        <translation>Listen-in ended</translation>
    </message>
</context>
<context>
    <name>AlertBanner</name>
    <message>
        <location filename="../widgets/alert_banner.py" line="32"/>
        <source>另有 %1 条告警未确认,请在“看板”中查看</source>
        <translation>%1 more alerts not acknowledged: see the Board</translation>
    </message>
    <message>
        <location filename="../widgets/alert_banner.py" line="42"/>
        <source>⚠ 告警:%1&#x3000;%2&#x3000;%3</source>
        <translation>⚠ Alert: %1&#x3000;%2&#x3000;%3</translation>
    </message>
    <message>
        <location filename="../widgets/alert_banner.py" line="48"/>
        <source>查看</source>
        <translation>View</translation>
    </message>
    <message>
        <location filename="../widgets/alert_banner.py" line="53"/>
        <source>宣布停热</source>
        <translation>Declare outage</translation>
    </message>
    <message>
        <location filename="../widgets/alert_banner.py" line="58"/>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
</context>
<context>
    <name>AnomalyDialog</name>
    <message>
        <location filename="../widgets/note_dialog.py" line="88"/>
        <source>报修单 %1：记录异常事件</source>
        <translation>Ticket %1: record an anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="89"/>
        <source>记录异常事件</source>
        <translation>Record an anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="90"/>
        <source>记录异常</source>
        <translation>Record anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="91"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="93"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="94"/>
        <source>住户说了什么、涉及谁</source>
        <translation>What the resident said, who it is about</translation>
    </message>
</context>
<context>
    <name>AnomalyRegisterPanel</name>
    <message>
        <location filename="../widgets/anomaly_register.py" line="25"/>
        <source>只看未关闭</source>
        <translation>Not closed only</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="27"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="28"/>
        <source>处理</source>
        <translation>Handle</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="29"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="64"/>
        <source>共 %1 条，未关闭 %2 条</source>
        <translation>%1 in all, %2 not closed</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="67"/>
        <source>，超期 %1 条</source>
        <translation>, %1 past the deadline</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="88"/>
        <source>处理异常</source>
        <translation>Handle anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="88"/>
        <source>关闭异常</source>
        <translation>Close anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="89"/>
        <source>%1（报修单 %2）</source>
        <translation>%1 (ticket %2)</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="91"/>
        <source>处理结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../widgets/anomaly_register.py" line="92"/>
        <source>已联系谁、怎么处理的</source>
        <translation>Whom you contacted and what was done</translation>
    </message>
</context>
<context>
    <name>Board</name>
    <message>
        <location filename="../models/board.py" line="20"/>
        <source>问题</source>
        <extracomment>a paused agent past the limit, a caller waiting past the alert&apos;s threshold</extracomment>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="20"/>
        <source>区</source>
        <translation>District</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="21"/>
        <source>户号</source>
        <translation>Account no.</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="21"/>
        <source>回电</source>
        <translation>Call back</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="35"/>
        <source>(%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="81"/>
        <source>工号</source>
        <translation>Agent no.</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="82"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="83"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="84"/>
        <source>时长</source>
        <translation>For</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="85"/>
        <source>通话对象</source>
        <translation>Talking to</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="87"/>
        <source>话后整理</source>
        <translation>Wrap-up left</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="89"/>
        <source>今日接听</source>
        <translation>Answered today</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="101"/>
        <source>示忙超过时限:可强制示闲或签退</source>
        <translation>Paused past the limit: force back to available, or sign out</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="115"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="116"/>
        <source>来电号码</source>
        <translation>Caller number</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="117"/>
        <source>等待</source>
        <translation>Wait</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="118"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="119"/>
        <source>语音导航</source>
        <translation>IVR</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="131"/>
        <source>待确认</source>
        <translation>Not acknowledged</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="132"/>
        <source>%1 已确认</source>
        <translation>Acknowledged by %1</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="139"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="140"/>
        <source>告警</source>
        <translation>Alert</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="141"/>
        <source>确认</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="142"/>
        <source>内容</source>
        <translation>Message</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="155"/>
        <source>区域</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="156"/>
        <source>预计恢复</source>
        <translation>Expected back</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="157"/>
        <source>已登记来电</source>
        <translation>Callers registered</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="158"/>
        <source>宣布</source>
        <translation>Declared</translation>
    </message>
    <message>
        <location filename="../models/board.py" line="160"/>
        <source>通知内容</source>
        <translation>Notice</translation>
    </message>
</context>
<context>
    <name>BoardPanel</name>
    <message>
        <location filename="../widgets/board_panel.py" line="190"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="201"/>
        <source>监听</source>
        <translation>Listen</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="202"/>
        <source>耳语</source>
        <translation>Whisper</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="203"/>
        <location filename="../widgets/board_panel.py" line="345"/>
        <source>座席能听到您,住户听不到</source>
        <translation>The agent hears you, the resident does not</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="204"/>
        <location filename="../widgets/board_panel.py" line="389"/>
        <source>强制示闲</source>
        <translation>Force available</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="205"/>
        <location filename="../widgets/board_panel.py" line="400"/>
        <source>签退</source>
        <translation>Sign out</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="212"/>
        <source>座席</source>
        <translation>Agents</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="219"/>
        <source>排队来电</source>
        <translation>Callers waiting</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="224"/>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="227"/>
        <source>告警</source>
        <translation>Alerts</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="225"/>
        <location filename="../widgets/board_panel.py" line="238"/>
        <source>宣布停热</source>
        <translation>Declare outage</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="226"/>
        <source>热点告警:为该区域宣布停热(区域与通知已预填,可修改)</source>
        <translation>Hot spot: declare a heating outage for this area (area and notice prefilled, editable)</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="239"/>
        <source>结束</source>
        <translation>End</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="240"/>
        <source>区域停热</source>
        <translation>Heating outages</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="297"/>
        <source>更新于 %1</source>
        <translation>As of %1</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="297"/>
        <source>尚未取得看板</source>
        <translation>No board yet</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="314"/>
        <source>看板:等待服务器数据…</source>
        <translation>Board: waiting for the server…</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="319"/>
        <source>排队 &lt;b&gt;%1&lt;/b&gt; 人</source>
        <translation>Waiting &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="320"/>
        <source>最长等待 &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Longest wait &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="321"/>
        <source>今日服务水平 &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Service level today &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="323"/>
        <source>今日接听 &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>Answered today &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="329"/>
        <source>在修 %1(超时 %2)</source>
        <translation>Repairs open %1 (overdue %2)</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="332"/>
        <source>未结投诉 %1</source>
        <translation>Open complaints %1</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="343"/>
        <source>只有领班的话机可以监听</source>
        <translation>Only a team lead&apos;s phone can listen in</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="385"/>
        <source>将 %1 强制示闲?(示忙 %2,已 %3)该座席将重新接听来电,操作记入审计。</source>
        <translation>Force %1 back to available? (paused: %2, for %3) The agent takes calls again; this is audited.</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="389"/>
        <location filename="../widgets/board_panel.py" line="400"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="390"/>
        <source>例如:已电话提醒,小休超时</source>
        <translation>e.g. phoned them: the break ran over</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="397"/>
        <source>将 %1 签退?(%2)其登录结束、退出队列,需重新登录,操作记入审计。</source>
        <translation>Sign %1 out? (%2) Their session ends and they leave the queue until they log in again; this is audited.</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="401"/>
        <source>例如:小休超过15分钟,按规定签退</source>
        <translation>e.g. break over 15 minutes: signed out by the rules</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="408"/>
        <source>确认告警:%1 — %2</source>
        <translation>Acknowledge the alert: %1 — %2</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="410"/>
        <source>确认告警</source>
        <translation>Acknowledge alert</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="410"/>
        <source>处理说明</source>
        <translation>What is done</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="411"/>
        <source>例如:已联系座席回到岗位</source>
        <translation>e.g. asked the agent back to the desk</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="441"/>
        <source>%1 %2:您的话机即将响铃并自动接通</source>
        <translation>%1 %2: your phone rings now and answers by itself</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="446"/>
        <source>已将 %1 强制示闲</source>
        <translation>%1 forced back to available</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="450"/>
        <source>已将 %1 签退</source>
        <translation>%1 signed out</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="455"/>
        <source>告警已确认</source>
        <translation>Alert acknowledged</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="459"/>
        <source>已宣布停热:%1</source>
        <translation>Outage declared: %1</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="463"/>
        <source>停热已结束,将回电通知已登记的来电人</source>
        <translation>Outage ended; the callers registered will be called back</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="464"/>
        <source>停热已结束</source>
        <translation>Outage ended</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="468"/>
        <source>看板未能刷新:%1</source>
        <translation>The board could not be refreshed: %1</translation>
    </message>
</context>
<context>
    <name>CallbacksPanel</name>
    <message>
        <location filename="../widgets/worklists_panel.py" line="66"/>
        <source>回电列表(最早的在前)</source>
        <translation>Call-backs (oldest first)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="68"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="71"/>
        <source>领取</source>
        <translation>Take</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="72"/>
        <source>呼叫</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="73"/>
        <source>您的话机先响并自动接通,再呼叫住户(显示热线号码)</source>
        <translation>Your phone rings first and answers by itself, then the resident is called (shown the hotline&apos;s number)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="74"/>
        <source>打开工单</source>
        <translation>Open ticket</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="75"/>
        <source>在报修单中与住户确认后保存,或标记已解决、取消报修</source>
        <translation>Confirm the ticket with the resident in the ticket form and save it, or mark it resolved or cancel it</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="80"/>
        <source>备注(通话情况)</source>
        <translation>Note (how the call went)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="82"/>
        <source>记录结果</source>
        <translation>Record outcome</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="83"/>
        <source>领取后点“呼叫”:您的话机先响并自动接通,再呼叫住户;通话后记录结果。未接通 3 次(至少间隔 2 小时)转领班处理。</source>
        <translation>Take an entry, then press Call: your phone rings first and answers by itself, then the resident is called; record the outcome after the call. Not reached 3 times (at least 2 hours apart): it goes to the team lead.</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="99"/>
        <source>结果</source>
        <translation>Outcome</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="129"/>
        <source>回电列表(最早的在前):%1 条</source>
        <translation>Call-backs (oldest first): %1</translation>
    </message>
</context>
<context>
    <name>ConfirmDialog</name>
    <message>
        <location filename="../widgets/note_dialog.py" line="104"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="109"/>
        <location filename="../widgets/note_dialog.py" line="112"/>
        <source> — 按地址建议</source>
        <translation> — suggested by address</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="114"/>
        <source>确认并派单</source>
        <translation>Confirm and dispatch</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="115"/>
        <source>维修站</source>
        <translation>Station</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="117"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="118"/>
        <source>例如：已与住户核实地址</source>
        <translation>e.g. address checked with the resident</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="119"/>
        <source>确认后立即派单到该维修站</source>
        <translation>Dispatch to this station once confirmed</translation>
    </message>
</context>
<context>
    <name>EndOutageDialog</name>
    <message>
        <location filename="../widgets/board_panel.py" line="156"/>
        <source>结束停热</source>
        <translation>End outage</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="157"/>
        <source>结束 %1 的停热通知?</source>
        <translation>End the outage notice for %1?</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="159"/>
        <source>回电通知已登记的 %1 位来电人“供热已恢复”</source>
        <translation>Call the %1 callers registered back: “heating is back”</translation>
    </message>
</context>
<context>
    <name>EscalationBanner</name>
    <message>
        <location filename="../widgets/escalation_banner.py" line="66"/>
        <source>另有 %1 条升级事件未确认，请在“异常登记”中查看</source>
        <translation>%1 more escalations not acknowledged: see Anomalies</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_banner.py" line="72"/>
        <source>⚠ 升级事件：%1&#x3000;报修单 %2&#x3000;%3&#x3000;%4</source>
        <translation>⚠ Escalated: %1 · ticket %2 · %3 · %4</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_banner.py" line="80"/>
        <source>查看</source>
        <translation>View</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_banner.py" line="83"/>
        <source>确认</source>
        <translation>Acknowledge</translation>
    </message>
</context>
<context>
    <name>HotSpotBanner</name>
    <message>
        <location filename="../widgets/hot_spot_banner.py" line="31"/>
        <source>知道了</source>
        <translation>Got it</translation>
    </message>
    <message>
        <location filename="../widgets/hot_spot_banner.py" line="41"/>
        <source>%1号楼</source>
        <translation>building %1</translation>
    </message>
    <message>
        <location filename="../widgets/hot_spot_banner.py" line="55"/>
        <source>⚠ 疑似管网故障：%1 %2 张不热报修（%3–%4）</source>
        <translation>⚠ Likely a heating network fault: %1, %2 no-heat repairs (%3–%4)</translation>
    </message>
    <message>
        <location filename="../widgets/hot_spot_banner.py" line="60"/>
        <source>查看报修</source>
        <translation>Show the repairs</translation>
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
        <source>已接单</source>
        <translation>accepted</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="18"/>
        <source>已联系</source>
        <translation>contacted</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="19"/>
        <source>已返单</source>
        <translation>completed</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="19"/>
        <source>已回访</source>
        <translation>followed up</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="20"/>
        <location filename="../models/labels.py" line="55"/>
        <source>已关闭</source>
        <translation>closed</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="20"/>
        <source>已解决</source>
        <translation>Resolved</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="21"/>
        <source>已取消</source>
        <translation>Cancelled</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="23"/>
        <source>待确认</source>
        <extracomment>a draft on the after-call lists: its call has ended and nobody&apos;s form holds it (#24)</extracomment>
        <translation>To confirm</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="26"/>
        <source>按1预约回电</source>
        <extracomment>why a draft waits (wire.UNCONFIRMED_REASONS: the same words, here for the translation; a test keeps them equal)</extracomment>
        <translation>Pressed 1 for a call-back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="27"/>
        <source>排队中挂机,待回电</source>
        <translation>Hung up in queue, call back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="28"/>
        <source>非工作时间留言,待回电</source>
        <translation>After-hours message, call back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="29"/>
        <source>无座席在线,待回电</source>
        <translation>No agent online, call back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="30"/>
        <source>排队超时,待回电</source>
        <translation>Queue wait too long, call back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="31"/>
        <source>语音导航中挂机</source>
        <translation>Hung up in IVR</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="32"/>
        <source>降级期间来电</source>
        <translation>Called while degraded</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="33"/>
        <source>座席接听后未保存</source>
        <translation>Answered, never saved</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="34"/>
        <source>通话中断,待回电</source>
        <translation>Call cut off, call back</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="35"/>
        <source>是</source>
        <translation>yes</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="37"/>
        <source>普通</source>
        <extracomment>one priority scale end to end (wire.PRIORITIES): a value between two steps reads as the lower one</extracomment>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="38"/>
        <source>加急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="39"/>
        <source>紧急</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="42"/>
        <source>站点超时未接单</source>
        <extracomment>异常事件 1–9 of the rules, in the wire&apos;s order (wire.ANOMALY_TYPES)</extracomment>
        <translation>Station did not accept in time</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="43"/>
        <source>维修工超时未联系住户</source>
        <translation>Technician did not contact the resident in time</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="44"/>
        <source>报修超过4小时未完成</source>
        <translation>Repair open more than 4 hours</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="45"/>
        <source>系统: 待确认超时未确认</source>
        <translation>System: draft not confirmed in time</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="46"/>
        <source>站点及维修工电话无人接听</source>
        <translation>Station and technician phones unanswered</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="47"/>
        <source>表扬维修工</source>
        <translation>Praise for a technician</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="48"/>
        <source>投诉维修工</source>
        <translation>Complaint about a technician</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="49"/>
        <source>投诉收费人员</source>
        <translation>Complaint about billing staff</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="50"/>
        <source>建议</source>
        <translation>Suggestion</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="51"/>
        <source>市/区供热办转办</source>
        <translation>Forwarded by the heating office</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="54"/>
        <source>待处理</source>
        <extracomment>the types a person records (4–9); 1–3 are the timers&apos;</extracomment>
        <translation>Open</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="54"/>
        <source>已处理</source>
        <translation>Handled</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="107"/>
        <source>接报用语不标准</source>
        <translation>Non-standard phrases</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="108"/>
        <source>错误引导</source>
        <translation>Misleading</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="109"/>
        <source>无效承诺</source>
        <translation>Invalid promise</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="110"/>
        <source>地址填写错误</source>
        <translation>Wrong address</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="111"/>
        <source>电话填写错误</source>
        <translation>Wrong phone</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="112"/>
        <source>选错维修站</source>
        <translation>Wrong station</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="113"/>
        <source>投诉</source>
        <translation>Complaint</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="114"/>
        <source>声音不甜美</source>
        <translation>Unpleasant voice</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="115"/>
        <source>闪光点</source>
        <translation>Well done</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="116"/>
        <source>来电</source>
        <translation>In</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="116"/>
        <source>外呼</source>
        <translation>Out</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="117"/>
        <source>回访</source>
        <translation>Follow-up</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="117"/>
        <source>转接</source>
        <translation>Transfer</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="118"/>
        <source>合格</source>
        <translation>Pass</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="118"/>
        <source>不合格</source>
        <translation>Fail</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="119"/>
        <source>不适用</source>
        <translation>N/A</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="120"/>
        <source>正常</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="120"/>
        <source>过短</source>
        <translation>Short</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="121"/>
        <source>空录音</source>
        <translation>Empty</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="121"/>
        <source>缺失</source>
        <translation>Missing</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="122"/>
        <source>封存损坏</source>
        <translation>Seal broken</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="122"/>
        <source>录音中</source>
        <translation>Recording</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="123"/>
        <source>接报标准</source>
        <translation>Intake standard</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="124"/>
        <source>放宽标准</source>
        <translation>Relaxed standard</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="125"/>
        <source>回访标准</source>
        <translation>Follow-up standard</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="155"/>
        <source>空闲</source>
        <translation>Available</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="155"/>
        <source>振铃</source>
        <translation>Ringing</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="156"/>
        <source>通话中</source>
        <translation>On a call</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="156"/>
        <source>话后整理</source>
        <translation>Wrap-up</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="157"/>
        <source>示忙</source>
        <translation>Paused</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="157"/>
        <source>话机未注册</source>
        <translation>Phone not registered</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="158"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="160"/>
        <source>等待过长</source>
        <translation>Long wait</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="160"/>
        <source>有来电无空闲座席</source>
        <translation>Callers waiting, no agent free</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="161"/>
        <source>值班时段无人登录</source>
        <translation>Nobody logged in during staffed hours</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="162"/>
        <source>示忙超时</source>
        <translation>Pause past its limit</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="163"/>
        <source>服务水平低于目标</source>
        <translation>Service level below target</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="163"/>
        <source>集中报修</source>
        <translation>Hot spot</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="177"/>
        <source>待拨出</source>
        <translation>To be called</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="177"/>
        <source>正在拨打</source>
        <translation>Calling</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="178"/>
        <source>已接通,播报中</source>
        <translation>Answered, reading the repair</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="178"/>
        <source>占线</source>
        <translation>Busy</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="179"/>
        <source>无人接听</source>
        <translation>No answer</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="179"/>
        <source>未接通</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="180"/>
        <source>已按1接单</source>
        <translation>Accepted (pressed 1)</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="181"/>
        <source>值班电话不在允许拨打的号码内,未拨</source>
        <translation>Duty phone not among the numbers allowed; not called</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="182"/>
        <source>工单已变更,无需再通知</source>
        <translation>Ticket moved on; no call needed</translation>
    </message>
    <message>
        <location filename="../models/labels.py" line="183"/>
        <source>派单电话通知未开启</source>
        <translation>Calls on dispatch are off</translation>
    </message>
</context>
<context>
    <name>ListenPage</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="430"/>
        <source>监听</source>
        <translation>Listen</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="431"/>
        <source>耳语</source>
        <translation>Whisper</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="432"/>
        <source>座席能听到您,住户听不到</source>
        <translation>The agent hears you, the resident does not</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="433"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="428"/>
        <source>选择通话中的座席,点“监听”:您的话机会响铃并自动接通,只听不说;“耳语”时座席能听到您,住户听不到。每次监听都会记录。</source>
        <translation>Pick an agent on a call and click “Listen”: your phone rings and answers by itself, you only listen; with “Whisper” the agent hears you, the resident does not. Every listen-in is logged.</translation>
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
        <location filename="../models/aftercall.py" line="109"/>
        <location filename="../models/aftercall.py" line="224"/>
        <location filename="../models/aftercall.py" line="268"/>
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
        <location filename="../models/aftercall.py" line="112"/>
        <location filename="../models/tables.py" line="84"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="110"/>
        <location filename="../models/aftercall.py" line="147"/>
        <location filename="../models/aftercall.py" line="164"/>
        <location filename="../models/qa.py" line="144"/>
        <location filename="../models/tables.py" line="85"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="36"/>
        <source>%1 分钟</source>
        <extracomment>an overdue row&apos;s background and text: red-ish, still readable on light and dark themes a draft waiting to be confirmed (待确认, #24): amber-ish</extracomment>
        <translation>%1 min</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="38"/>
        <source>%1 小时</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="39"/>
        <source>%1 天</source>
        <translation>%1 d</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="113"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="114"/>
        <location filename="../models/aftercall.py" line="273"/>
        <location filename="../models/tables.py" line="86"/>
        <location filename="../models/tables.py" line="106"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="115"/>
        <source>区</source>
        <translation>District</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="117"/>
        <source>已过</source>
        <translation>Age</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="118"/>
        <source>未结异常</source>
        <translation>Anomalies</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="149"/>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="150"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="163"/>
        <location filename="../models/qa.py" line="55"/>
        <location filename="../models/qa.py" line="122"/>
        <location filename="../models/qa.py" line="154"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="166"/>
        <source>发生</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="167"/>
        <source>期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="168"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="169"/>
        <source>说明 / 结果</source>
        <translation>Note / result</translation>
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
        <location filename="../models/aftercall.py" line="271"/>
        <location filename="../models/tables.py" line="103"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="116"/>
        <location filename="../models/aftercall.py" line="232"/>
        <location filename="../models/tables.py" line="104"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="65"/>
        <source>%1 电话通知:%2</source>
        <extracomment>a station call&apos;s outcomes that are tried again while attempts are left (hotline.aftercall.station_calls.RETRIED)</extracomment>
        <translation>%1 phone notice: %2</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="68"/>
        <source>,拨打 %1 次后放弃</source>
        <translation>, given up after %1 calls</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="70"/>
        <source>,已拨 %1 次</source>
        <translation>, called %1 times</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="72"/>
        <source>,下次 %1</source>
        <translation>, next %1</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="111"/>
        <source>待确认原因</source>
        <translation>Why to confirm</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="191"/>
        <source>排队中按1</source>
        <translation>Pressed 1 in queue</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="192"/>
        <source>排队放弃</source>
        <translation>Abandoned in queue</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="193"/>
        <source>非工作时间留言</source>
        <translation>After-hours message</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="194"/>
        <source>无座席</source>
        <translation>No agent</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="195"/>
        <source>等待超时</source>
        <translation>Waited too long</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="196"/>
        <source>语音导航中挂机</source>
        <translation>Hung up in IVR</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="197"/>
        <source>通话中断</source>
        <translation>Call cut off</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="202"/>
        <source>已联系上</source>
        <translation>Reached</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="202"/>
        <source>无人接听</source>
        <translation>No answer</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="203"/>
        <source>占线</source>
        <translation>Busy</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="203"/>
        <source>号码错误</source>
        <translation>Wrong number</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="204"/>
        <source>领班关闭</source>
        <translation>Closed by team lead</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="204"/>
        <source>住户再次来电</source>
        <translation>Resident called again</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="206"/>
        <source>未接通</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="206"/>
        <source>要求人工</source>
        <translation>Asked for a person</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="212"/>
        <source>转领班</source>
        <translation>To team lead</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="225"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="226"/>
        <source>工单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="227"/>
        <source>已等</source>
        <translation>Waited</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="228"/>
        <source>回电号码</source>
        <translation>Call-back number</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="229"/>
        <source>尝试</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="230"/>
        <source>上次</source>
        <translation>Last</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="231"/>
        <source>领取人</source>
        <translation>Taken by</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="248"/>
        <source>已交费</source>
        <translation>Paid</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="248"/>
        <source>未交费</source>
        <translation>Unpaid</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="249"/>
        <source>未知</source>
        <translation>Unknown</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="260"/>
        <source>呼叫中</source>
        <translation>Calling</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="261"/>
        <source>%1 次</source>
        <translation>%1 tries</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="269"/>
        <source>返单时间</source>
        <translation>Completed</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="270"/>
        <source>预约</source>
        <translation>Booked</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="272"/>
        <location filename="../models/tables.py" line="105"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="274"/>
        <source>供暖费</source>
        <translation>Heating fee</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="276"/>
        <source>自动回访</source>
        <translation>Automated call</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="275"/>
        <source>处理结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="148"/>
        <location filename="../models/qa.py" line="54"/>
        <location filename="../models/qa.py" line="71"/>
        <location filename="../models/qa.py" line="121"/>
        <location filename="../models/qa.py" line="152"/>
        <location filename="../models/tables.py" line="118"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="155"/>
        <location filename="../models/tables.py" line="119"/>
        <source>来电</source>
        <translation>Caller</translation>
    </message>
    <message>
        <location filename="../models/aftercall.py" line="165"/>
        <location filename="../models/qa.py" line="56"/>
        <location filename="../models/qa.py" line="72"/>
        <location filename="../models/qa.py" line="156"/>
        <location filename="../models/tables.py" line="120"/>
        <source>报修单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="57"/>
        <location filename="../models/qa.py" line="123"/>
        <location filename="../models/qa.py" line="157"/>
        <location filename="../models/tables.py" line="121"/>
        <source>时长</source>
        <translation>Length</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="53"/>
        <location filename="../models/qa.py" line="73"/>
        <location filename="../models/qa.py" line="83"/>
        <location filename="../models/qa.py" line="120"/>
        <location filename="../models/qa.py" line="143"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="58"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="58"/>
        <source>添加</source>
        <translation>Added</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="58"/>
        <source>抽取</source>
        <translation>Drawn</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="59"/>
        <source>检查</source>
        <translation>Check</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="74"/>
        <source>建议的问题</source>
        <translation>Proposed finding</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="75"/>
        <source>依据</source>
        <translation>Why</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="82"/>
        <location filename="../models/qa.py" line="109"/>
        <location filename="../models/qa.py" line="142"/>
        <location filename="../models/qa.py" line="153"/>
        <source>工号</source>
        <translation>Agent no.</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="84"/>
        <source>通话</source>
        <translation>Calls</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="85"/>
        <source>抽查</source>
        <translation>Checked</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="86"/>
        <source>合格率</source>
        <translation>Pass rate</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="87"/>
        <source>严重差错</source>
        <translation>Serious errors</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="88"/>
        <source>罚款(元)</source>
        <translation>Fines (¥)</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="89"/>
        <source>投诉率</source>
        <translation>Complaint rate</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="90"/>
        <source>轮训</source>
        <translation>Retraining</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="90"/>
        <source>需轮训</source>
        <translation>Retrain</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="91"/>
        <source>知情不报</source>
        <translation>Heard, not reported</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="92"/>
        <source>检查结果</source>
        <translation>Findings</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="110"/>
        <source>检查人</source>
        <translation>Checker</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="111"/>
        <source>检查数</source>
        <translation>Checks</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="158"/>
        <source>已删除</source>
        <translation>Deleted</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="28"/>
        <location filename="../models/qa.py" line="112"/>
        <source>合格</source>
        <translation>Pass</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="27"/>
        <source>未检查</source>
        <translation>Not checked</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="28"/>
        <source>不合格</source>
        <translation>Fail</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="113"/>
        <source>合格后被投诉</source>
        <translation>Passed, then complained of</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="124"/>
        <source>已听</source>
        <translation>Listened</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="124"/>
        <source>无问题</source>
        <translation>No problem</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="131"/>
        <source>通话中</source>
        <translation>On a call</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="133"/>
        <source>未登录</source>
        <translation>Not logged in</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="135"/>
        <source>示忙</source>
        <translation>Paused</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="136"/>
        <source>空闲</source>
        <translation>Free</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="136"/>
        <source>未签入</source>
        <translation>Not in queue</translation>
    </message>
    <message>
        <location filename="../models/qa.py" line="158"/>
        <source>录音</source>
        <translation>Recording</translation>
    </message>
</context>
<context>
    <name>NoteDialog</name>
    <message>
        <location filename="../widgets/note_dialog.py" line="46"/>
        <source>选择</source>
        <translation>Choose</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="50"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="51"/>
        <source>（必填）</source>
        <translation>(required)</translation>
    </message>
    <message>
        <location filename="../widgets/note_dialog.py" line="52"/>
        <source>（可不填）</source>
        <translation>(optional)</translation>
    </message>
</context>
<context>
    <name>OutageDialog</name>
    <message>
        <location filename="../widgets/board_panel.py" line="79"/>
        <source>%1供热管网故障抢修中,预计%2时恢复</source>
        <translation>%1: the heating main is under emergency repair, expected back by %2:00</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="90"/>
        <source>宣布停热</source>
        <translation>Declare outage</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="92"/>
        <source>宣布区域停热:该区域来电人在欢迎语后听到下面的通知,按1登记为受影响(不建报修单)</source>
        <translation>Declare a heating outage: callers from the area hear this notice after the greeting; pressing 1 registers them as affected (no repair ticket)</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="97"/>
        <source>区/小区[/楼号],例如 和平区/幸福里小区</source>
        <translation>District/compound[/building], e.g. 和平区/幸福里小区</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="103"/>
        <source>例如:幸福里小区因主管道抢修暂停供热,预计今天18点恢复</source>
        <translation>e.g. 幸福里小区因主管道抢修暂停供热,预计今天18点恢复</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="107"/>
        <source>区域</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="108"/>
        <source>预计恢复</source>
        <translation>Expected back</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="109"/>
        <source>通知内容</source>
        <translation>Notice</translation>
    </message>
    <message>
        <location filename="../widgets/board_panel.py" line="141"/>
        <source>%1 / %2 字</source>
        <extracomment>the message proposed for a hot spot, while the lead has not changed it</extracomment>
        <translation>%1 / %2 characters</translation>
    </message>
</context>
<context>
    <name>PeerPage</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="453"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="459"/>
        <source>发现问题请写明原因;闪光点请写明值得学习之处</source>
        <translation>A problem: write its cause; well done: write what is worth learning</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="461"/>
        <source>标记已听</source>
        <translation>Mark listened</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="462"/>
        <source>听到问题未报告、之后被检查发现的,计为知情不报。</source>
        <translation>A problem you heard and did not report, found by a check later, counts as heard-not-reported.</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="477"/>
        <source>听到的问题</source>
        <translation>What you heard</translation>
    </message>
</context>
<context>
    <name>PlayerBar</name>
    <message>
        <location filename="../widgets/player_bar.py" line="22"/>
        <location filename="../widgets/player_bar.py" line="65"/>
        <source>▶ 播放</source>
        <extracomment>the slider&apos;s steps per second of recording</extracomment>
        <translation>▶ Play</translation>
    </message>
    <message>
        <location filename="../widgets/player_bar.py" line="65"/>
        <source>⏸ 暂停</source>
        <translation>⏸ Pause</translation>
    </message>
</context>
<context>
    <name>ProposalsPage</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="373"/>
        <source>备注(可选)</source>
        <translation>Note (optional)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="374"/>
        <source>确认为检查结果</source>
        <translation>Confirm as a finding</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="375"/>
        <source>驳回</source>
        <translation>Dismiss</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="376"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="370"/>
        <source>维修站退回(选错维修站)或派单后更正地址、电话,系统建议记在保存工单的座席名下;确认后与检查发现的问题一样计入考核和罚款。</source>
        <translation>A station sending a ticket back (wrong station) or an address or phone corrected after dispatch is proposed against the agent who saved the ticket; confirmed, it counts and is fined like a check&apos;s finding.</translation>
    </message>
</context>
<context>
    <name>QaScreen</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="541"/>
        <source>每日抽查</source>
        <translation>Daily sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="541"/>
        <source>检查建议</source>
        <translation>Proposals</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="542"/>
        <source>月度结果</source>
        <translation>Monthly results</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="542"/>
        <source>实时监听</source>
        <translation>Listen-in</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="543"/>
        <source>听前日录音</source>
        <translation>Colleagues&apos; calls</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="579"/>
        <source>检查建议已处理</source>
        <translation>Proposal decided</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="685"/>
        <source>%1 %2:接听 %3,应查 %4,抽取 %5,已查 %6</source>
        <translation>%1 %2: answered %3, to check %4, in the sample %5, checked %6</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="690"/>
        <source>部长周抽查:%1 起的一周,每人抽查未在每日抽查中的通话</source>
        <translation>Head&apos;s weekly sample: the week from %1, per agent calls not in a daily sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="692"/>
        <source>每人至少抽查当日接听量的 10%(至少 1 通)</source>
        <translation>At least 10 % of each agent&apos;s answered calls (at least one)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="694"/>
        <source>(未结束:抽取结果为当前情况,结束后确定)</source>
        <translation> (not over: the draw as it stands, final when it is over)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="710"/>
        <source>（请在左侧选择一通电话）</source>
        <translation>(pick a call on the left)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="714"/>
        <source>%1 · %2 · %3 %4</source>
        <translation>%1 · %2 · %3 %4</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="716"/>
        <source>报修单 %1</source>
        <translation>ticket %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="718"/>
        <source>(录音不可播放)</source>
        <translation> (recording not playable)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="722"/>
        <source>已检查:%1(%2)</source>
        <translation>Checked: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="722"/>
        <location filename="../widgets/qa_screen.py" line="813"/>
        <source>合格</source>
        <translation>Pass</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="722"/>
        <location filename="../widgets/qa_screen.py" line="813"/>
        <source>不合格</source>
        <translation>Fail</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="739"/>
        <source>%1 第 %2 版</source>
        <translation>%1, version %2</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="755"/>
        <source>还有 %1 项未评</source>
        <translation>%1 item(s) not scored yet</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="758"/>
        <source>预判:合格</source>
        <translation>Preview: pass</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="758"/>
        <source>预判:不合格</source>
        <translation>Preview: fail</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="767"/>
        <source>发现问题或闪光点请写明原因</source>
        <translation>Write the cause of a problem or what was well done</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="768"/>
        <source>听到问题未报告、之后被检查发现的,计为知情不报。</source>
        <translation>A problem you heard and did not report, found by a check later, counts as heard-not-reported.</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="776"/>
        <source>%1 的同事录音:今日分给您 %2 段(每人 %3 段),已听 %4 段</source>
        <translation>Colleagues&apos; calls of %1: %2 given to you today (%3 each), %4 listened</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="808"/>
        <source>已用系统播放器打开录音</source>
        <translation>Recording opened in the system player</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="813"/>
        <source>检查结果已保存:%1</source>
        <translation>Check saved: %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="815"/>
        <source>;听过这通录音而未报告问题(知情不报):%1</source>
        <translation>; heard this call and did not report the problem: %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="820"/>
        <source>已标记为已听</source>
        <translation>Marked listened</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="839"/>
        <source>已加入 %1 的抽查</source>
        <translation>Added to the sample of %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="860"/>
        <source>%1 %2:您的话机即将响铃并自动接通</source>
        <translation>%1 %2: your phone rings now and answers by itself</translation>
    </message>
</context>
<context>
    <name>RecordingSearch</name>
    <message>
        <location filename="../widgets/recording_search.py" line="23"/>
        <source>报修单号</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="25"/>
        <source>电话号码</source>
        <translation>Phone number</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="27"/>
        <source>工号</source>
        <translation>Agent no.</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="29"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="38"/>
        <source>全部类型</source>
        <translation>All legs</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="41"/>
        <source>查找</source>
        <translation>Find</translation>
    </message>
    <message>
        <location filename="../widgets/recording_search.py" line="94"/>
        <source>找到 %1 段录音</source>
        <translation>%1 recording(s) found</translation>
    </message>
</context>
<context>
    <name>RecordingsDialog</name>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="42"/>
        <source>我的录音</source>
        <translation>My recordings</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="26"/>
        <source>回放</source>
        <translation>Replay</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="20"/>
        <location filename="../widgets/recordings_dialog.py" line="42"/>
        <source>录音查询</source>
        <translation>Recordings</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="28"/>
        <location filename="../widgets/recordings_dialog.py" line="44"/>
        <source>录音保存在热线服务器上，只能回放本人接听的通话；每次查找和回放都会记录。</source>
        <translation>Recordings stay on the hotline server; you find and replay only calls you answered, and every search and replay is logged.</translation>
    </message>
    <message>
        <location filename="../widgets/recordings_dialog.py" line="45"/>
        <source>按报修单、电话、工号、日期或类型查找录音；每次查找和回放都会记录。</source>
        <translation>Find recordings by ticket, phone, agent, dates or leg; every search and replay is logged.</translation>
    </message>
</context>
<context>
    <name>ReportDrillDialog</name>
    <message>
        <location filename="../widgets/reports_panel.py" line="423"/>
        <source>报表明细</source>
        <translation>Report details</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="432"/>
        <source>双击报修单打开详情；电话号码已隐去中间几位</source>
        <translation>Double-click a ticket to open it; phone numbers are masked</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="434"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="452"/>
        <source>共 %1 通来电</source>
        <translation>%1 calls</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="452"/>
        <source>共 %1 张报修单</source>
        <translation>%1 tickets</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="454"/>
        <source>（只列出前 %1 条）</source>
        <translation> (first %1 listed)</translation>
    </message>
</context>
<context>
    <name>ReportMailBanner</name>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="34"/>
        <source>⚠ 日报邮件设置有误，日报无法发出：%1。请通知管理员</source>
        <extracomment>red: not out; amber: out, but late</extracomment>
        <translation>⚠ The daily report&apos;s e-mail settings are wrong, the report cannot go out: %1. Tell the admin</translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="36"/>
        <source>⚠ %1 日报邮件发送失败（已试 %2 次）：%3。</source>
        <translation>⚠ The daily report of %1 was not e-mailed (%2 attempts): %3. </translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="38"/>
        <source>将于 %1 重试</source>
        <translation>Trying again at %1</translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="39"/>
        <source>已停止重试，请通知管理员检查邮件设置后重发</source>
        <translation>No more retries: tell the admin to check the mail settings and send it again</translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="42"/>
        <source>⚠ %1 日报应于 %2 发出，至今未发出</source>
        <translation>⚠ The daily report of %1 was due at %2 and has not gone out yet</translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="45"/>
        <source>%1 日报已于 %2 发出，晚于规定的 %3</source>
        <translation>The daily report of %1 went out at %2, later than its time %3</translation>
    </message>
    <message>
        <location filename="../widgets/report_mail_banner.py" line="50"/>
        <source>⚠ 以下日报未能发出：%1</source>
        <translation>⚠ These daily reports never went out: %1</translation>
    </message>
</context>
<context>
    <name>Reports</name>
    <message>
        <location filename="../models/reports.py" line="25"/>
        <source>语音自助</source>
        <translation>IVR self-service</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="25"/>
        <source>座席受理</source>
        <translation>Taken by an agent</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="26"/>
        <source>非工作时间留言</source>
        <translation>After-hours message</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="27"/>
        <location filename="../models/reports.py" line="44"/>
        <source>回电</source>
        <translation>Call-back</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="28"/>
        <source>4小时内</source>
        <translation>Under 4 h</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="28"/>
        <source>4–24小时</source>
        <translation>4–24 h</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="29"/>
        <source>1–3天</source>
        <translation>1–3 days</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="29"/>
        <source>3天以上</source>
        <translation>Over 3 days</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="30"/>
        <source>满意</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="30"/>
        <source>普通</source>
        <translation>Average</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="31"/>
        <source>不满意</source>
        <translation>Unsatisfied</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="32"/>
        <source>已接听</source>
        <translation>Answered</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="32"/>
        <source>放弃(挂机)</source>
        <translation>Abandoned</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="33"/>
        <source>按1选择回电</source>
        <translation>Chose a call-back (key 1)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="34"/>
        <source>等待超时转回电</source>
        <translation>Maximum wait, call-back</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="35"/>
        <source>无座席</source>
        <translation>No agent</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="35"/>
        <source>非工作时间</source>
        <translation>After hours</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="36"/>
        <source>未结束</source>
        <translation>Unfinished</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="37"/>
        <source>日报</source>
        <translation>Daily</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="37"/>
        <source>周报</source>
        <translation>Weekly</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="38"/>
        <source>月报</source>
        <translation>Monthly</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="38"/>
        <source>供暖季报</source>
        <translation>Heating season</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="40"/>
        <source>一、每日报修情况</source>
        <translation>1. Repairs received</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="41"/>
        <source>二、报修完成情况</source>
        <translation>2. Repairs completed</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="42"/>
        <source>三、回访情况</source>
        <translation>3. Follow-ups</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="43"/>
        <source>异常事件与投诉</source>
        <translation>Anomalies and complaints</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="45"/>
        <source>话务（来自 queue_log）</source>
        <translation>Calls (from queue_log)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="48"/>
        <source>区域停热</source>
        <translation>Heating outages</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="49"/>
        <source>考核指标</source>
        <translation>KPIs</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="90"/>
        <source>%1 秒</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="92"/>
        <source>%1 分 %2 秒</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="93"/>
        <source>%1 小时</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="132"/>
        <source>登记 %1 通 · 受影响 %2 户</source>
        <translation>%1 calls registered · %2 households affected</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="135"/>
        <source> · 恢复回电 %1</source>
        <translation> · %1 restored call-backs</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="137"/>
        <source>（未结束）</source>
        <translation> (still open)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="143"/>
        <source>发布：%1 %2</source>
        <translation>Declared: %1 %2</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="145"/>
        <source>预计恢复：%1</source>
        <translation>Expected back: %1</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="146"/>
        <source>结束：%1</source>
        <translation>Ended: %1</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="147"/>
        <source>尚未结束</source>
        <translation>not yet</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="149"/>
        <source>号码策略未拨：%1</source>
        <translation>Not dialled (number policy): %1</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="164"/>
        <source>受理报修</source>
        <translation>Repairs received</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="168"/>
        <location filename="../models/reports.py" line="459"/>
        <source>未分类</source>
        <translation>Unclassified</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="170"/>
        <source>其中重开（还是不热）</source>
        <translation>of which re-opened (still cold)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="171"/>
        <source>待确认的语音草稿</source>
        <translation>IVR drafts awaiting confirmation</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="174"/>
        <source>报修完成（返单）</source>
        <translation>Repairs completed</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="178"/>
        <source>日终未完成</source>
        <translation>Still open at day end</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="184"/>
        <source>回访</source>
        <translation>Follow-ups</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="185"/>
        <location filename="../models/reports.py" line="269"/>
        <source>问题解决率</source>
        <translation>Resolution rate</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="188"/>
        <source>态度：%1</source>
        <translation>Attitude: %1</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="189"/>
        <location filename="../models/reports.py" line="364"/>
        <source>平均评分</source>
        <translation>Average score</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="190"/>
        <source>收费</source>
        <translation>Charged</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="191"/>
        <source>缴费提醒</source>
        <translation>Fee reminders</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="192"/>
        <source>座席 / 自动回访</source>
        <translation>By agent / automated</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="200"/>
        <source>新 %1（%2），日终未关闭 %3</source>
        <translation>%1 new (%2), %3 not closed at day end</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="203"/>
        <source>投诉（逐条见“热点与投诉”）</source>
        <translation>Complaints (one by one under “Hot spots &amp; complaints”)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="207"/>
        <source>要求回电</source>
        <translation>Call-backs requested</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="210"/>
        <source>已回电联系上</source>
        <translation>Reached</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="211"/>
        <source>日终待回电</source>
        <translation>Outstanding at day end</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="212"/>
        <source>首次回拨 平均 / 最长</source>
        <translation>First attempt: average / longest</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="216"/>
        <source>进线</source>
        <translation>Offered</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="220"/>
        <source>来源：%1</source>
        <translation>Source: %1</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="221"/>
        <source>其中短时放弃（≤%1 秒）</source>
        <translation>of which short abandons (≤%1 s)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="224"/>
        <source>服务水平（%1 秒）</source>
        <translation>Service level (%1 s)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="227"/>
        <source>服务水平（Asterisk SL）</source>
        <translation>Service level (Asterisk SL)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="228"/>
        <source>服务水平（Asterisk SL2）</source>
        <translation>Service level (Asterisk SL2)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="229"/>
        <source>平均应答速度 ASA</source>
        <translation>Average speed of answer (ASA)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="230"/>
        <source>平均处理时长 AHT</source>
        <translation>Average handle time (AHT)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="231"/>
        <source>最长等待</source>
        <translation>Longest wait</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="232"/>
        <source>放弃率</source>
        <translation>Abandon rate</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="245"/>
        <source>区域停热登记（按1）</source>
        <translation>Outage registrations (key 1)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="268"/>
        <source>客户满意度</source>
        <translation>Customer satisfaction</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="270"/>
        <source>客户投诉率</source>
        <translation>Complaint rate</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="286"/>
        <source>项目</source>
        <translation>Item</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="287"/>
        <source>数值</source>
        <translation>Value</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="296"/>
        <source>与签核时不同（见“差异”）</source>
        <translation>Differs from the signed report (see “Differences”)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="298"/>
        <source>双击查看明细</source>
        <translation>Double-click for the details</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="320"/>
        <source>工号</source>
        <translation>Agent id</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="321"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="322"/>
        <source>接听</source>
        <translation>Answered</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="323"/>
        <source>外呼</source>
        <translation>Made</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="324"/>
        <location filename="../models/reports.py" line="425"/>
        <source>通话</source>
        <translation>Talk</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="326"/>
        <source>话后整理</source>
        <translation>Wrap-up</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="327"/>
        <source>AHT</source>
        <translation>AHT</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="328"/>
        <source>振铃未接</source>
        <translation>Rang unanswered</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="329"/>
        <source>登录时长</source>
        <translation>Logged in</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="330"/>
        <source>首次登录</source>
        <translation>First login</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="331"/>
        <source>占用率</source>
        <translation>Occupancy</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="332"/>
        <source>示忙</source>
        <translation>Paused</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="351"/>
        <source>名次</source>
        <translation>Rank</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="352"/>
        <location filename="../models/reports.py" line="461"/>
        <source>维修站</source>
        <translation>Station</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="353"/>
        <source>派单</source>
        <translation>Dispatched</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="354"/>
        <source>平均接单</source>
        <translation>Avg. to accept</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="355"/>
        <source>平均联系住户</source>
        <translation>Avg. to contact</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="356"/>
        <source>平均完工</source>
        <translation>Avg. to complete</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="357"/>
        <source>返单</source>
        <translation>Completed</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="358"/>
        <source>超时率</source>
        <translation>Over-limit rate</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="360"/>
        <source>返修率</source>
        <translation>Re-opened rate</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="362"/>
        <source>满意率</source>
        <translation>Satisfaction</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="375"/>
        <source>类型</source>
        <translation>Type</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="376"/>
        <location filename="../models/reports.py" line="400"/>
        <location filename="../models/reports.py" line="476"/>
        <source>报修单</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="377"/>
        <source>登记</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="378"/>
        <location filename="../models/reports.py" line="457"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="379"/>
        <source>负责人</source>
        <translation>Owner</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="380"/>
        <source>内容</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="381"/>
        <location filename="../models/reports.py" line="473"/>
        <source>结果</source>
        <translation>Result</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="394"/>
        <location filename="../models/reports.py" line="460"/>
        <source>区</source>
        <translation>District</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="395"/>
        <source>小区</source>
        <translation>Compound</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="396"/>
        <source>楼</source>
        <translation>Building</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="397"/>
        <source>报修</source>
        <translation>Repairs</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="398"/>
        <source>首次</source>
        <translation>First</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="399"/>
        <source>最后</source>
        <translation>Last</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="421"/>
        <location filename="../models/reports.py" line="445"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="422"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="423"/>
        <source>queue_log</source>
        <translation>queue_log</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="424"/>
        <source>话单</source>
        <translation>Call records</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="446"/>
        <source>指标</source>
        <translation>Figure</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="447"/>
        <source>签核时</source>
        <translation>Signed</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="448"/>
        <source>现在</source>
        <translation>Now</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="456"/>
        <source>单号</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="458"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="462"/>
        <location filename="../models/reports.py" line="474"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="463"/>
        <source>建单</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="471"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="472"/>
        <source>等待</source>
        <translation>Wait</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="475"/>
        <source>座席</source>
        <translation>Agent</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="477"/>
        <source>来源</source>
        <translation>Source</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="478"/>
        <source>通话标识</source>
        <translation>Call id</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="46"/>
        <source>语音导航（IVR）</source>
        <translation>IVR</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="47"/>
        <source>首次解决与重复来电</source>
        <translation>First-call resolution and repeat callers</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="125"/>
        <source>待定（目前 %1）</source>
        <translation>Pending (so far %1)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="238"/>
        <source>呼入来电</source>
        <translation>Incoming calls</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="239"/>
        <source>在语音导航中挂机</source>
        <translation>Hung up in the IVR</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="247"/>
        <source>自助查询报修进度</source>
        <translation>Status look-ups (self-service)</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="249"/>
        <source>语音导航时长 平均 / 90% / 最长</source>
        <translation>Time in the IVR: average / 90% / longest</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="255"/>
        <location filename="../models/reports.py" line="273"/>
        <source>首次解决率</source>
        <translation>First-call resolution</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="256"/>
        <source>%1 天内再次来电</source>
        <translation>Called again within %1 days</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="258"/>
        <source>重复来电号码</source>
        <translation>Repeat callers</translation>
    </message>
    <message>
        <location filename="../models/reports.py" line="325"/>
        <source>保持</source>
        <translation>Hold</translation>
    </message>
</context>
<context>
    <name>ReportsPanel</name>
    <message>
        <location filename="../widgets/reports_panel.py" line="92"/>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="93"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="97"/>
        <source>签核</source>
        <translation>Sign off</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="98"/>
        <source>审核无误后签核：日报按此刻生成的内容存档，不可更改</source>
        <translation>Sign off once checked: the day is archived as generated now and never changed</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="99"/>
        <source>导出 XLSX</source>
        <translation>Export XLSX</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="100"/>
        <source>导出 PDF</source>
        <translation>Export PDF</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="103"/>
        <source>报表</source>
        <translation>Reports</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="142"/>
        <source>分时话务：进线、接听与在线座席</source>
        <translation>Calls per hour: offered, answered, agents logged in</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="143"/>
        <source>每日服务水平</source>
        <translation>Service level by day</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="144"/>
        <source>报修按问题</source>
        <translation>Repairs by problem</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="145"/>
        <source>报修按区</source>
        <translation>Repairs by district</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="146"/>
        <source>维修站平均完工时长（小时，越短越好）</source>
        <translation>Stations: average time to complete (hours, shorter is better)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="148"/>
        <source>无数据</source>
        <translation>No data</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="172"/>
        <source>双击查看该站当日派单的报修</source>
        <translation>Double-click for the repairs dispatched to this station</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="178"/>
        <source>双击查看这些报修</source>
        <translation>Double-click for these repairs</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="184"/>
        <source>概览</source>
        <translation>Overview</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="185"/>
        <source>座席</source>
        <translation>Agents</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="186"/>
        <source>维修站</source>
        <translation>Stations</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="187"/>
        <source>热点（疑似管网故障）</source>
        <translation>Hot spots (a network fault?)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="188"/>
        <source>投诉（逐条）</source>
        <translation>Complaints</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="188"/>
        <source>热点与投诉</source>
        <translation>Hot spots and complaints</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="189"/>
        <source>queue_log 与话单不一致</source>
        <translation>queue_log and call records disagree</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="190"/>
        <source>与签核存档不同的指标</source>
        <translation>Figures that differ from the signed report</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="190"/>
        <location filename="../widgets/reports_panel.py" line="332"/>
        <source>差异</source>
        <translation>Differences</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="240"/>
        <source>正在生成报表…</source>
        <translation>Generating the report…</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="284"/>
        <source>（尚未结束）</source>
        <translation> (not over yet)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="294"/>
        <source>&lt;b style=&apos;color:%1&apos;&gt;✔ 已签核&lt;/b&gt; %2 %3 %4 · SHA-256 %5…</source>
        <translation>&lt;b style=&apos;color:%1&apos;&gt;✔ Signed&lt;/b&gt; %2 %3 %4 · SHA-256 %5…</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="300"/>
        <source>&lt;b style=&apos;color:%1&apos;&gt;未签核&lt;/b&gt;</source>
        <translation>&lt;b style=&apos;color:%1&apos;&gt;Not signed&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="302"/>
        <source>报表日尚未结束，不能签核</source>
        <translation>The reporting day is not over: it cannot be signed yet</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="305"/>
        <source>已签核 %1 天，未签核 %2 天，与存档不同 %3 天</source>
        <translation>%1 days signed, %2 not signed, %3 differ from the archive</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="314"/>
        <source>⚠ 与签核存档不同：%1 项指标已变化（见“差异”）</source>
        <translation>⚠ Differs from the signed report: %1 figures changed (see “Differences”)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="318"/>
        <source>⚠ queue_log 与话单不一致 %1 处（见“差异”）</source>
        <translation>⚠ queue_log and call records disagree in %1 places (see “Differences”)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="321"/>
        <source>未签核的天：%1</source>
        <translation>Days not signed: %1</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="324"/>
        <source>签核后从未复核的天：%1</source>
        <translation>Signed days never re-checked since signing: %1</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="327"/>
        <source>签核的天已于 %1 起复核</source>
        <translation>Signed days re-checked since %1</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="332"/>
        <source>差异 ⚠ %1</source>
        <translation>Differences ⚠ %1</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="341"/>
        <location filename="../widgets/reports_panel.py" line="348"/>
        <source>进线</source>
        <translation>Offered</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="342"/>
        <source>接听</source>
        <translation>Answered</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="343"/>
        <source>在线座席</source>
        <translation>Agents logged in</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="349"/>
        <source>服务水平</source>
        <translation>Service level</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="354"/>
        <source>未分类</source>
        <translation>Unclassified</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="355"/>
        <location filename="../widgets/reports_panel.py" line="358"/>
        <source>报修</source>
        <translation>Repairs</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="362"/>
        <source>平均完工（小时）</source>
        <translation>Avg. to complete (h)</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="382"/>
        <source>%1 时的来电</source>
        <translation>Calls at %1:00</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="394"/>
        <location filename="../widgets/reports_panel.py" line="400"/>
        <source>%1 派单</source>
        <translation>%1: dispatched</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="409"/>
        <source>热点 %1</source>
        <translation>Hot spot %1</translation>
    </message>
    <message>
        <location filename="../widgets/reports_panel.py" line="470"/>
        <source>导出报表</source>
        <translation>Export the report</translation>
    </message>
</context>
<context>
    <name>ReportsState</name>
    <message>
        <location filename="../state/reports.py" line="159"/>
        <source>报表未能读取：%1</source>
        <extracomment>the server&apos;s clock less this PC&apos;s (from each answer&apos;s generated_at): &quot;today&quot; is the hotline&apos;s the period shown is today&apos;s, until the person picks another day</extracomment>
        <translation>The report could not be read: %1</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="179"/>
        <source>%1 的日报已签核（%2），存档不可更改</source>
        <translation>The daily report of %1 is signed (%2); the archive is never changed</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="187"/>
        <source>签核被拒绝（403）：%1</source>
        <translation>Sign-off refused (403): %1</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="189"/>
        <source>签核未成功：%1</source>
        <translation>Sign-off failed: %1</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="223"/>
        <source>明细未能读取：%1</source>
        <translation>The details could not be read: %1</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="230"/>
        <source>正在导出 %1…</source>
        <translation>Exporting %1…</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="234"/>
        <source>已导出：%1</source>
        <translation>Exported: %1</translation>
    </message>
    <message>
        <location filename="../state/reports.py" line="237"/>
        <source>导出失败：%1</source>
        <translation>Export failed: %1</translation>
    </message>
</context>
<context>
    <name>ResultsPage</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="387"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="395"/>
        <source>检查人</source>
        <translation>Checker</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="400"/>
        <source>月份</source>
        <translation>Month</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="418"/>
        <source>严重差错每次 %1 元,当月超过 %2 次后每次另加 %3 元;投诉率上限 日 %4、月 %5;日不合格率达 %6 需轮训</source>
        <translation>Serious errors ¥%1 each, ¥%3 more each past %2 in a month; complaint rate limits: day %4, month %5; retraining at a day&apos;s fail rate of %6</translation>
    </message>
</context>
<context>
    <name>SamplePage</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="258"/>
        <source>每日抽查</source>
        <translation>Daily sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="259"/>
        <source>部长周抽查</source>
        <translation>Head&apos;s weekly sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="260"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="261"/>
        <source>添加通话</source>
        <translation>Add a call</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="262"/>
        <source>领班可把当日任一通话加入抽查</source>
        <translation>A team lead may add any call of the day to the sample</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="270"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="282"/>
        <source>（请在左侧选择一通电话）</source>
        <translation>(pick a call on the left)</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="296"/>
        <source>检查说明:问题的原因、值得学习的闪光点</source>
        <translation>Notes: a problem&apos;s cause, what was well done</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="300"/>
        <source>提交检查结果</source>
        <translation>Submit the check</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="304"/>
        <source>评分</source>
        <translation>Scorecard</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="307"/>
        <source>标准</source>
        <translation>Standard</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="312"/>
        <source>检查结果</source>
        <translation>Findings</translation>
    </message>
</context>
<context>
    <name>ScorecardForm</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="139"/>
        <source>不合格不影响整通电话的结论(记录在案)</source>
        <extracomment>the findings&apos; buttons, in the rules&apos; order; praise apart (it is no problem)</extracomment>
        <translation>A fail here does not fail the call (it is recorded)</translation>
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
    <name>StorageBanner</name>
    <message>
        <location filename="../widgets/storage_banner.py" line="24"/>
        <source>⚠ 录音磁盘空间不足：剩余 %1 MB（下限 %2 MB）。通话照常进行，请立即通知管理员清理磁盘</source>
        <translation>⚠ Recordings disk nearly full: %1 MB free (minimum %2 MB). Calls go on — tell the admin to free the disk now</translation>
    </message>
    <message>
        <location filename="../widgets/storage_banner.py" line="27"/>
        <source>⚠ 今日 %1 条录音或留言异常（空、过短或缺失），未作为有效录音封存</source>
        <translation>⚠ %1 recordings or voice messages flagged today (empty, short or missing): not sealed as good</translation>
    </message>
    <message>
        <location filename="../widgets/storage_banner.py" line="30"/>
        <source>⚠ 今日 %1 条录音在通话中途停止写入，请检查录音设备并通知管理员</source>
        <translation>⚠ %1 recordings stopped being written mid-call today: check the recording and tell the admin</translation>
    </message>
</context>
<context>
    <name>SurveysPanel</name>
    <message>
        <location filename="../widgets/worklists_panel.py" line="206"/>
        <source>待回访(最早返单的在前)</source>
        <translation>Due for follow-up (oldest first)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="208"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="209"/>
        <source>呼叫</source>
        <translation>Call</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="210"/>
        <source>您的话机先响并自动接通,再呼叫住户(显示热线号码)</source>
        <translation>Your phone rings first and answers by itself, then the resident is called (shown the hotline&apos;s number)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="215"/>
        <location filename="../widgets/worklists_panel.py" line="308"/>
        <source>回访话术</source>
        <translation>Follow-up script</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="218"/>
        <location filename="../widgets/worklists_panel.py" line="223"/>
        <source>是</source>
        <translation>Yes</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="218"/>
        <location filename="../widgets/worklists_panel.py" line="223"/>
        <source>否</source>
        <translation>No</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="220"/>
        <source>(请选择)</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="221"/>
        <source>满意</source>
        <translation>Satisfied</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="221"/>
        <source>普通</source>
        <translation>Average</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="221"/>
        <source>不满意</source>
        <translation>Unsatisfied</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="226"/>
        <source>(1–10)</source>
        <translation>(1–10)</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="231"/>
        <source>已提醒交费</source>
        <translation>Fee reminder read</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="232"/>
        <source>本热线</source>
        <translation>this hotline</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="234"/>
        <source>保存回访</source>
        <translation>Save follow-up</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="238"/>
        <source>不方便,预约</source>
        <translation>Not convenient: book</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="285"/>
        <source>待回访(最早返单的在前):%1 条</source>
        <translation>Due for follow-up (oldest first): %1</translation>
    </message>
    <message>
        <location filename="../widgets/worklists_panel.py" line="307"/>
        <source>回访话术 — %1</source>
        <translation>Follow-up script — %1</translation>
    </message>
</context>
<context>
    <name>TicketBox</name>
    <message>
        <location filename="../widgets/qa_screen.py" line="169"/>
        <source>工单与语音导航</source>
        <translation>Ticket and IVR</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="174"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="174"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="174"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="175"/>
        <source>回电电话</source>
        <translation>Call-back phone</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="175"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="175"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="176"/>
        <source>来电号码</source>
        <translation>Caller number</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="176"/>
        <source>语音导航</source>
        <translation>IVR</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="189"/>
        <source>✗ %1</source>
        <translation>✗ %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="200"/>
        <source>报修单 %1</source>
        <translation>ticket %1</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="201"/>
        <source>有语音描述</source>
        <translation>voice description left</translation>
    </message>
    <message>
        <location filename="../widgets/qa_screen.py" line="201"/>
        <source>无语音描述</source>
        <translation>no voice description</translation>
    </message>
</context>
<context>
    <name>TicketDetailPanel</name>
    <message>
        <location filename="../widgets/ticket_detail.py" line="56"/>
        <source>工单详情</source>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="62"/>
        <location filename="../widgets/ticket_detail.py" line="170"/>
        <source>（未选择工单）</source>
        <translation>(no ticket selected)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="74"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="74"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="74"/>
        <location filename="../widgets/ticket_detail.py" line="284"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="75"/>
        <source>建单</source>
        <translation>Created</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="75"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="75"/>
        <source>回电电话</source>
        <translation>Call-back phone</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="76"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="117"/>
        <source>派单</source>
        <translation>Dispatch</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="117"/>
        <source>撤回</source>
        <translation>Recall</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="117"/>
        <source>接单</source>
        <translation>Accept</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="117"/>
        <source>确认并派单</source>
        <translation>Confirm and dispatch</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="118"/>
        <source>已联系住户</source>
        <translation>Resident contacted</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="118"/>
        <source>返单</source>
        <translation>Report back</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="118"/>
        <source>关闭</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="119"/>
        <source>取消</source>
        <translation>Cancel ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="119"/>
        <source>重开</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="127"/>
        <source>记录异常</source>
        <translation>Record anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="130"/>
        <source>电话通知维修站</source>
        <translation>Call the station</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="131"/>
        <source>立即拨打维修站值班电话,播报本报修单(接单请按1)</source>
        <translation>Call the station&apos;s duty phone now and read out this ticket (key 1 to accept)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="143"/>
        <source>处理经过</source>
        <translation>Timeline</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="145"/>
        <source>异常事件</source>
        <translation>Anomalies</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="174"/>
        <source>%1：%2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="176"/>
        <source>（超时）</source>
        <translation> (overdue)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="183"/>
        <source>（未派站）</source>
        <translation>(no station yet)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="184"/>
        <source>%1（%2）</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="194"/>
        <source>续报自 %1</source>
        <translation>Follow-up of %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="197"/>
        <source>续报单 %1</source>
        <translation>Follow-ups: %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="253"/>
        <source>已请求电话通知维修站 %1(报修单 %2),数秒内拨出;接单后状态自动更新</source>
        <translation>Station %1 will be called within seconds (ticket %2); the state updates when it accepts</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="257"/>
        <source>(此前已拨 %1 次)</source>
        <translation> (%1 earlier attempts)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="278"/>
        <location filename="../widgets/ticket_detail.py" line="303"/>
        <source>报修单 %1：%2 → %3</source>
        <translation>Ticket %1: %2 → %3</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="281"/>
        <source>报修单 %1 已关闭：为它建一张关联的续报单</source>
        <translation>Ticket %1 is closed: make a linked follow-up ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="285"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="287"/>
        <source>返单结果</source>
        <translation>Station&apos;s result</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="287"/>
        <source>取消原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="288"/>
        <source>重开原因</source>
        <translation>Why reopen</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="288"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="289"/>
        <source>维修站反馈的处理结果</source>
        <translation>What the station reports was done</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="289"/>
        <source>重复报修、住户撤销等</source>
        <translation>Duplicate, withdrawn by the resident, …</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="290"/>
        <source>住户再次来电说明的情况，如“还是不热”</source>
        <translation>What the resident says now, e.g. &quot;still not warm&quot;</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="291"/>
        <source>例如：代站点操作时站点的答复</source>
        <translation>E.g. what the station said, when acting on its behalf</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="113"/>
        <source>回放录音</source>
        <translation>Replay recording</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="147"/>
        <source>录音</source>
        <translation>Recording</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_detail.py" line="212"/>
        <source>录音 (%1)</source>
        <translation>Recordings (%1)</translation>
    </message>
</context>
<context>
    <name>TicketFormPanel</name>
    <message>
        <location filename="../widgets/ticket_form.py" line="44"/>
        <source>报修单</source>
        <extracomment>hotline.service.schemas.TicketForm.cancel_reason&apos;s max_length (a unit test keeps them equal)</extracomment>
        <translation>Ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="57"/>
        <location filename="../widgets/ticket_form.py" line="323"/>
        <source>（无报修单）</source>
        <translation>(no ticket)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="60"/>
        <source>上次未保存的草稿</source>
        <translation>Drafts not saved last time</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="63"/>
        <source>新建报修单</source>
        <translation>New ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="64"/>
        <source>为这通来电另建一张报修单（无自动草稿或第二个问题）</source>
        <translation>Open another ticket for this call (no IVR draft, or a second problem)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="67"/>
        <source>记录异常</source>
        <translation>Record anomaly</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="68"/>
        <source>表扬、投诉、建议等：记在这张报修单上</source>
        <translation>Praise, a complaint, a suggestion …: recorded on this ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="73"/>
        <location filename="../widgets/ticket_form.py" line="253"/>
        <source>（请选择）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="82"/>
        <location filename="../widgets/ticket_form.py" line="83"/>
        <location filename="../widgets/ticket_form.py" line="84"/>
        <location filename="../widgets/ticket_form.py" line="85"/>
        <source>已跟读确认</source>
        <translation>Read back</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="92"/>
        <source>通话中已解决（无需派修）</source>
        <translation>Resolved on the call (no repair needed)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="94"/>
        <source>取消报修</source>
        <translation>Cancel repair</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="95"/>
        <source>住户不再需要维修：保存时取消这张报修单（需填写原因）</source>
        <translation>The resident no longer needs a repair: saving cancels this ticket (a reason is required)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="98"/>
        <source>取消原因，如：住户已自行解决</source>
        <translation>Reason, e.g. the resident fixed it</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="101"/>
        <source>补充说明（故障现象、上门时间等）</source>
        <translation>Notes (symptoms, visiting time, …)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="106"/>
        <source>单号</source>
        <translation>Ticket no.</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="113"/>
        <location filename="../widgets/ticket_form.py" line="242"/>
        <source>问题</source>
        <translation>Problem</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="114"/>
        <location filename="../widgets/ticket_form.py" line="242"/>
        <source>地址</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="115"/>
        <location filename="../widgets/ticket_form.py" line="242"/>
        <source>姓名</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="116"/>
        <source>回电电话</source>
        <translation>Call-back phone</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="121"/>
        <source>维修站</source>
        <translation>Repair station</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="124"/>
        <source>优先级</source>
        <translation>Priority</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="129"/>
        <source>备注</source>
        <translation>Notes</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="133"/>
        <location filename="../widgets/ticket_form.py" line="229"/>
        <source>保存报修单</source>
        <translation>Save ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="172"/>
        <source>暖气不热</source>
        <translation>No heat</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="172"/>
        <source>漏水</source>
        <translation>Leak</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="172"/>
        <source>噪音或异响</source>
        <translation>Noise</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="173"/>
        <source>缴费及其他</source>
        <translation>Billing and other</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="176"/>
        <source>普通</source>
        <translation>Normal</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="176"/>
        <source>加急</source>
        <translation>Urgent</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="176"/>
        <source>紧急</source>
        <translation>Emergency</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="229"/>
        <source>取消报修单</source>
        <translation>Cancel ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="234"/>
        <source>本次来电没有报修单</source>
        <translation>This call has no ticket</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="237"/>
        <source>备注最多 %1 字（现在 %2 字），请精简后保存</source>
        <translation>Notes hold at most %1 characters (now %2); shorten them to save</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="240"/>
        <source>请填写取消原因</source>
        <translation>Please give the reason for cancelling</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="243"/>
        <source>电话</source>
        <translation>Phone</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="244"/>
        <source>请向来电人跟读确认: %1</source>
        <translation>Read back to the caller: %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="280"/>
        <source>按地址建议</source>
        <translation>Suggested by address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="283"/>
        <source>与建议不同</source>
        <translation>Differs from suggestion</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="347"/>
        <source>已恢复草稿</source>
        <translation>Draft restored</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="395"/>
        <source>未完成草稿 (%1)</source>
        <translation>Unfinished drafts (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="414"/>
        <source>草稿已自动保存 %1</source>
        <translation>Draft autosaved %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="419"/>
        <source>草稿未能保存: %1</source>
        <translation>Draft not saved: %1</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="427"/>
        <source>请选择问题类型</source>
        <translation>Choose the problem type</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="430"/>
        <source>请填写地址</source>
        <translation>Enter the address</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="435"/>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="444"/>
        <source>报修单已保存</source>
        <translation>Ticket saved</translation>
    </message>
    <message>
        <location filename="../widgets/ticket_form.py" line="444"/>
        <source>报修单已取消</source>
        <translation>Ticket cancelled</translation>
    </message>
</context>
<context>
    <name>TicketsPanel</name>
    <message>
        <location filename="../widgets/tickets_panel.py" line="43"/>
        <source>全部状态</source>
        <extracomment>the states a list is filtered by (a draft on the list is one whose call has ended: 待确认)</extracomment>
        <translation>All states</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="47"/>
        <source>全部维修站</source>
        <translation>All stations</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="49"/>
        <source>全部区</source>
        <translation>All districts</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="51"/>
        <source>全部问题</source>
        <translation>All problems</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="55"/>
        <source>全部优先级</source>
        <translation>All priorities</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="58"/>
        <source>只看超时</source>
        <translation>Overdue only</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="62"/>
        <source>只看待确认的报修单：来电已结束、尚未确认的草稿</source>
        <translation>Only tickets to confirm: drafts whose call has ended, not confirmed yet</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="65"/>
        <source>单号、地址、姓名、电话</source>
        <translation>Number, address, name, phone</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="67"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="130"/>
        <source>待确认 (%1)</source>
        <translation>To confirm (%1)</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="130"/>
        <source>待确认</source>
        <translation>To confirm</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="179"/>
        <source>共 %1 张</source>
        <translation>%1 tickets</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="181"/>
        <source>，其中超时 %1 张</source>
        <translation>, %1 overdue</translation>
    </message>
    <message>
        <location filename="../widgets/tickets_panel.py" line="183"/>
        <source>，待确认 %1 张</source>
        <translation>, %1 to confirm</translation>
    </message>
</context>
</TS>
