// Everything the patient reads, in one place. Plain, short words: patients may be unwell,
// reading on a phone, and are not medical experts.
export const T = {
  launcher: 'Chat about this study',
  newMessage: '(new message)',
  defaultTitle: 'Study pre-screening',
  restart: 'Start over',
  close: 'Close',
  closeLabel: 'Close chat',
  notice:
    'This chat asks questions about your health to see if the study might suit you. ' +
    'It is not medical advice. Your answers are kept private and shared only with the study team. ' +
    'You can stop at any time.',
  start: 'Start',
  confirm: 'Start over? This chat will be cleared from this screen and a new one will begin.',
  confirmYes: 'Yes, start over',
  confirmNo: 'Cancel',
  log: 'Conversation',
  typing: 'The assistant is typing',
  label: 'Your answer',
  send: 'Send',
  charsLeft: (n) => (n === 1 ? '1 character left' : `${n} characters left`),
  study: 'About the study',
  newTab: 'Opens in a new tab',
  choices: 'Answer choices',
  // Speaker labels: read by screen readers before each message.
  saidBy: { user: 'You said:', bot: 'Assistant said:', coordinator: 'Study coordinator said:' },
  coordinator: 'Study coordinator',
  unsent: 'Not sent yet',
  lost: 'Not sent',
  joined: 'A study coordinator has joined the chat',
  continuing: 'The assistant is continuing your pre-screen',
  status: {
    connecting: 'Connecting…',
    reconnecting: 'Reconnecting… your messages will be sent when the connection is back',
    unreachable: 'Cannot reach the chat right now. Trying again… your messages will be sent when the connection is back',
    unavailable: 'The chat cannot connect right now. Please try again later, or use "Start over".',
  },
  startedOver: 'Sorry, the chat had to start over. The assistant will ask its questions again.',
  givenBack: 'What you wrote before was not sent. It is back in the answer box, so you can send it again.',
  card: {
    likely_eligible: 'You may be able to join this study',
    not_eligible: 'This study is not a fit for you',
    not_yet: 'You may be able to join this study, but not yet',
    handoff: 'A study coordinator will help',
  },
  stillCheck: 'The study team will still check:',
  // The reasons above say from which day; the payload's recontact_after is that day.
  recontact: 'The study team can contact you when that time has passed.',
  preScreen: 'This is a pre-screen, not a medical decision.',
  cardLink: 'Read about the study',
};
