import { Init1795591844951 } from './1795591844951-Init.js';
import { OeeRollups1795592690118 } from './1795592690118-OeeRollups.js';
import { SchedulerState1795593500000 } from './1795593500000-SchedulerState.js';
import { SocketIoAttachments1795593600000 } from './1795593600000-SocketIoAttachments.js';
import { StateEventsUntilIndex1795594200000 } from './1795594200000-StateEventsUntilIndex.js';
import { SessionLastSeen1795594400000 } from './1795594400000-SessionLastSeen.js';
import { AuthAttempts1795594500000 } from './1795594500000-AuthAttempts.js';
import { EventSenders1795594600000 } from './1795594600000-EventSenders.js';
import { ShiftPatternVersions1795595100000 } from './1795595100000-ShiftPatternVersions.js';
import { ActivityCodeCauses1795595200000 } from './1795595200000-ActivityCodeCauses.js';
import { PartCatalogue1795595210000 } from './1795595210000-PartCatalogue.js';
import { MachineJobStartAutofill1795595300000 } from './1795595300000-MachineJobStartAutofill.js';
import { ResumeNotes1795595310000 } from './1795595310000-ResumeNotes.js';
import { WallPalette1795595500000 } from './1795595500000-WallPalette.js';
import { SitePublicUrl1795595600000 } from './1795595600000-SitePublicUrl.js';
import { SiteDateFormat1795595700000 } from './1795595700000-SiteDateFormat.js';
import { Andon1795595770000 } from './1795595770000-Andon.js';
import { Andon1795595810000 } from './1795595810000-Andon.js';
import { MqttMappings1795595850000 } from './1795595850000-MqttMappings.js';
import { CorrectionTimes1795595870000 } from './1795595870000-CorrectionTimes.js';
import { ProductionRecordSpans1795595880000 } from './1795595880000-ProductionRecordSpans.js';
import { DropSocketIoAttachments1795595900000 } from './1795595900000-DropSocketIoAttachments.js';

// Every migration, in order. `npm run db:migration:generate -- Name` writes a new file; add it here.
export const migrations = [
  Init1795591844951,
  OeeRollups1795592690118,
  SchedulerState1795593500000,
  SocketIoAttachments1795593600000,
  StateEventsUntilIndex1795594200000,
  SessionLastSeen1795594400000,
  AuthAttempts1795594500000,
  EventSenders1795594600000,
  ShiftPatternVersions1795595100000,
  ActivityCodeCauses1795595200000,
  PartCatalogue1795595210000,
  MachineJobStartAutofill1795595300000,
  ResumeNotes1795595310000,
  WallPalette1795595500000,
  SitePublicUrl1795595600000,
  SiteDateFormat1795595700000,
  Andon1795595770000,
  Andon1795595810000,
  MqttMappings1795595850000,
  CorrectionTimes1795595870000,
  ProductionRecordSpans1795595880000,
  DropSocketIoAttachments1795595900000,
];
