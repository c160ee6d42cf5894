package synth

// devTemplates are the development corpus's templates: the same genres as
// trainTemplates, worded differently, never used for training.
const devTemplates = `
en|Good afternoon {F}, I have looked into the issue with your subscription.
en|Hey {F} - quick question about the {PRODUCT} license.
en|Greetings {HN}, we regret to inform you that the item is back-ordered.
en|Many thanks,\n{N}
en|Warm regards,\n{N}\n{JOB}
en|Regards\n{F}
en|{F} replied: "I still can't open the attachment."
en|At {TIME} on {DAY}, {N} wrote:
en|Sender: {N} <{EMAIL}>
en|Caller {N} wants to change the delivery date.
en|Reassigned from {N} to {N}.
en|Had a long chat with {N} about the migration to {PRODUCT}.
en|Note from {F}: customer is happy now.
en|Mrs {L}'s parcel was left with a neighbour.
en|Voicemail from {H} regarding invoice {ID}.
en|{N} reported the outage first.
en|Please loop in {N} on this thread.
en|Deliver to: {N}, {STREET} {NUM}, {CITY}
en|Photo ID checked for {N}.
en|Thank you {F} for the detailed logs!
en|I am {N}, the new {JOB}.
en|Our rep {F} will call you tomorrow.
en|Account holder {N} disputed the transaction.
en|Nurse {F} updated the chart for {HN}.
en|{N} and {N} will attend the {CITY} workshop.
en|Ping {F} when the {CLASS} fix is deployed.
en|[{TIME}] <{F}> lunch?\n[{TIME}] <{F}> sure
en|{F}: the {PRODUCT} keeps crashing\n{F}: which version?
en|Requested by: {N}
en|Onboarding buddy for {N} is {N}.
en|{TS} INFO [helpdesk] {N} closed ticket {ID}
en|{TS} INFO [gdpr] erasure request from {N} received
en|{N} | {JOB} | {COMPANY}
en|Reminder: {F}'s farewell lunch is on {DAY}.
en|Our {CITY} warehouse ships {PRODUCT} orders daily.
en|The {JOB} team in {CITY} is hiring.
en|{COMPANY} Announces Record Quarter
en|Maintenance Window: {DAY} {TIME} UTC
en|Read the Frequently Asked Questions before contacting Support.
en|Orders placed after {TIME} ship the next Business Day.
en|Store hours on {STREET}: Monday to Saturday.
en|Upgrade to {PRODUCT} today and save.
log|{TS} {LEVEL} {PKG}.{CLASS} - {EXC}: timeout after {NUM}ms
log|	at {PKG}.{CLASS}.{METHOD}({CLASS}.kt:{NUM})
log|{TS} {LEVEL} [{CLASS}] Retrying {METHOD} attempt {NUM}
log|Caused by: {EXC}: Connection reset
log|{TS} {LEVEL} {CLASS} initialised with {NUM} workers
log|{TS} {LEVEL} [billing] charge {ID} failed for account {NUM}
log|{TS} {LEVEL} Jenkins Pipeline {CLASS} Stage Deploy Succeeded
log|{TS} {LEVEL} [cron] Report Generator Finished In {NUM}s
log|{TS} {LEVEL} shipment {ID} left {CITY} hub
de|Guten Tag {H},\nanbei erhalten Sie die Rechnung.\nBeste Grüße\n{N}
de|Hallo zusammen, {F} übernimmt ab {DAY} die Vertretung.
de|Kunde {N} bittet um Rückruf.
de|Die Kundin {N} hat die Ware zurückgeschickt.
de|Absender: {N} <{EMAIL}>
de|Bearbeitet von {N} am {DATE}.
de|Lieferadresse: {N}, {STREET} {NUM}, {CITY}
de|Mit besten Grüßen\n{N}
de|Die Wartung des Systems findet am {DAY} statt.
de|Der Versand nach {CITY} dauert drei Werktage.
de|Fehlermeldung im Modul {CLASS} nach dem Update.
de|Unsere Filiale in der {STREET} hat neue Öffnungszeiten.
fr|Bonsoir {F}, votre colis est en route.
fr|Madame {L} a demandé un remboursement.
fr|Bien à vous,\n{N}
fr|Transmis par {N} le {DATE}.
fr|Le technicien {N} passera {DAY}.
fr|Notre agence de {CITY} sera fermée {DAY}.
fr|Mise à jour de {PRODUCT} disponible.
es|Buenas tardes {F}, su pedido está en camino.
es|Un saludo,\n{N}
es|La clienta {N} pidió un cambio de talla.
es|Atentamente,\n{HN}
es|Reunión con {N} el {DAY}.
es|La tienda de {CITY} abre el {DAY}.
es|Actualización de {PRODUCT} disponible para todos.
it|Gentile {H}, il suo ordine è stato spedito.
nl|Hoi {F}, de monteur komt {DAY}.
pt|Prezado {H}, sua fatura está disponível.
`
