/** The main sections, shown in the top bar and on the home page. */
export const sections = [
  { href: '/wall', label: 'Wall screen', description: 'Live state of every machine, for shop-floor screens.' },
  { href: '/analytics', label: 'Analytics', description: 'Timelines, OEE trends and loss Paretos.' },
  { href: '/tables', label: 'Tables', description: 'Jobs, stops and counts; correct past data and export.' },
  { href: '/admin', label: 'Admin', description: 'Machines, groups, reason codes, shifts, users and devices.' },
  { href: '/help', label: 'Help', description: 'How OEE is calculated and how to use this site.' },
] as const;

export const productName = 'OEE Monitor';
