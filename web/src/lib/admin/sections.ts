/** The admin pages, in the order of the admin tab bar and the overview; `api`: its collection, when not the page's path. */
export const adminSections = [
  { href: '/admin/machines', label: 'Machines', description: 'Machines, their group, shifts, tablet workflow and codes.' },
  { href: '/admin/groups', label: 'Groups', description: 'Lines or areas that machines belong to.' },
  { href: '/admin/activity-codes', label: 'Activity codes', description: 'Reason codes, their OEE category and colour.' },
  { href: '/admin/parts', label: 'Parts', description: 'Part catalogue: part numbers and ideal cycle times, import and export.' },
  { href: '/admin/shift-patterns', label: 'Shift patterns', description: 'Planned production time: weekly shifts and exceptions.' },
  { href: '/admin/users', label: 'Users', description: 'People, roles, passwords and tablet PINs.' },
  { href: '/admin/tablets', label: 'Tablets', description: 'Operator tablets and their pairing QR codes.' },
  { href: '/admin/kiosk-tokens', label: 'Kiosk tokens', description: 'Read-only links for wall screens.' },
  { href: '/admin/api-keys', label: 'API keys', description: 'Keys for devices and scripts.' },
  {
    href: '/admin/mqtt',
    api: '/mqtt/mappings',
    label: 'MQTT',
    description: 'Topics of MQTT devices and Sparkplug B nodes, mapped to machines.',
  },
  { href: '/admin/data-sources', label: 'Data sources', description: 'Devices and tablets with their last contact.' },
  { href: '/admin/site', label: 'Site', description: 'Time zone, date format, micro-stops, long stops and the public address.' },
] as const;
