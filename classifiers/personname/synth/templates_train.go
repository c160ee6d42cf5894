package synth

// trainTemplates: "locale|text". Slots: {N} full name, {F} given name,
// {L} surname, {H} honorific + surname (or full name), {HN} honorific +
// full name; everything else is a filler that is not a person. The dev
// templates (templates_dev.go) are written separately with other wording.
const trainTemplates = `
en|Hi {F}, thanks for reaching out about order {ID}.
en|Hello {N}, your ticket #{NUM} has been updated.
en|Dear {H},\nThank you for your patience. We have refunded the charge.\nBest regards,\n{N}\n{COMPANY}
en|Dear {N}, we received your request on {DATE}.
en|Thanks, {F}
en|Thanks {F}! That fixed it.
en|Cheers,\n{F}
en|-- \n{N}\n{JOB}, {COMPANY}
en|On {DATE}, {N} <{EMAIL}> wrote:
en|{N} wrote:
en|From: {N} <{EMAIL}>\nTo: {N} <{EMAIL}>\nSubject: Re: invoice {ID}
en|Customer {N} called about a double charge on card ending {NUM4}.
en|Ticket assigned to {N} by {N}.
en|assigned to {F}
en|Spoke with {N} from {COMPANY} regarding the renewal.
en|{N} (customer) reports that the app crashes on login.
en|Called {H} back at {TIME}, left voicemail.
en|Per {F}'s request, escalating to {TEAM}.
en|Escalated by {N}: customer {N} cannot reset password.
en|CRM note: {N} prefers contact by email. Lives in {CITY}.
en|Meeting with {N} and {N} on {DAY} at the {CITY} office.
en|Please contact {N} at {EMAIL} or call {PHONE}.
en|[{TIME}] {F}: can you check the {CLASS} logs?
en|[{TIME}] {F}: sure, looking now
en|<{F}> anyone seen the {EXC} on prod?
en|{F} joined the channel
en|{N} has left the conversation
en|Patient {N}, DOB {DATE}, seen by {H}.
en|Referred by {H} to {H}.
en|Shipping to {N}, {NUM} {STREET}, {CITY}.
en|Package delivered to {STREET} {NUM}, signed by {N}.
en|The account owner is {N}.
en|Reviewed-by: {N} <{EMAIL}>
en|Signed-off-by: {N} <{EMAIL}>
en|Author: {N}
en|Approved by {N} on {DATE}.
en|{N} approved the expense report for {CITY}.
en|Interview scheduled with {N} for the {JOB} role.
en|Congratulations to {N} on the promotion!
en|Please welcome {N}, our new {JOB}.
en|I talked to {F} yesterday and she said the shipment from {CITY} is late.
en|my name is {N} and I need help with my account
en|This is {N} from {COMPANY}.
en|User {N} ({EMAIL}) updated the billing address.
en|Refund approved for {N}: {AMOUNT}.
en|Contact person: {N}
en|Name: {N}
en|Kind regards, {N}
en|Best,\n{F}
en|Sent from my phone\n\n{N}
en|{H} asked whether the {PRODUCT} warranty covers water damage.
en|Left a message for {N} about the {PRODUCT} return.
en|{F} from {TEAM} will follow up on {DAY}.
en|Hey {F}, did {F} send you the {MONTH} report?
en|The package for {N} is waiting at the {CITY} depot.
en|Case {ID} opened by {N} ({PHONE}).
en|Agent {F} transferred the call to {N}.
en|{N}, {JOB} at {COMPANY}, requested a demo of {PRODUCT}.
en|Good morning {HN}, your appointment is confirmed for {DAY}.
en|Can someone help {F}? She cannot log in since {DAY}.
en|Forwarding this to {N} who owns the {CLASS} module.
en|{TS} INFO [support] ticket {ID} assigned to {N}
en|{TS} INFO audit: {N} exported the customer list
en|{TS} WARN [crm] duplicate contact {N} merged
en|level=info msg="password changed" user="{N}"
en|Emergency contact: {N} (sister), {PHONE}
en|Guest list: {N}, {N} and {N}.
en|Owner: {N} | Status: Open | Priority: High
en|Thanks to {N} and {F} for the quick fix!
en|As discussed with {L}, the contract renews in {MONTH}.
en|{L} said the delivery to {CITY} was fine.
en|cc {N}
en|Hi team, {F} here. The {PRODUCT} demo is ready.
en|{N} <{EMAIL}>
en|Invoice {ID} was sent to {N} at {COMPANY}.
en|Per our call, {H} will send the signed form by {DAY}.
en|Order {ID} shipped to {CITY} via {COMPANY}.
en|The {PRODUCT} is out of stock until {MONTH}.
en|Our office moved to {NUM} {STREET}, {CITY}.
en|Release Notes for {PRODUCT} {VER}
en|## Getting Started
en|Welcome to {COMPANY}! Your subscription to {PRODUCT} starts on {MONTH} {NUM}.
en|Meeting moved to {DAY}, {MONTH} {NUM}.
en|Please Note: The Service Will Be Unavailable During Scheduled Maintenance.
en|Jenkins build #{NUM} failed on branch main.
en|Jackson failed to deserialize {CLASS}.
en|Visit our store on {STREET} in {CITY}.
en|Your {PRODUCT} order from {COMPANY} has shipped.
en|New York, London and {CITY} offices are closed on {DAY}.
en|Thanks for choosing {COMPANY}. Questions? Reply to this email.
en|Monthly Active Users Grew In {MONTH} Across All Regions
en|The {JOB} position in {CITY} is still open.
en|Please update the {CLASS} before the {DAY} release.
en|Customer Satisfaction Survey Results
en|Product Roadmap Q3: Search, Billing and Reporting
en|See Terms and Conditions for details.
en|We will be closed on Christmas Day and New Year's Day.
en|Grace period ends on {DATE}.
en|Happy Birthday from all of us at {COMPANY}!
en|The Paris Agreement and the Geneva Convention were discussed.
en|New in {PRODUCT} {VER}: {BRAND}, {BRAND} and {BRAND}.
en|Try {BRAND} free for 30 days.
en|{BRAND} is now generally available in {CITY}.
en|We migrated from {BRAND} to {BRAND} last {MONTH}.
en|Integrations: {BRAND}, {BRAND}, {BRAND}
en|{JUNK} {JUNK}
en|password hint: {JUNK} {JUNK} {NUM}
en|test account {JUNK} {JUNK} created
en|{JUNK}
en|{GREET} {TO}, {BODY}
en|{GREET} {TO},\n{BODY}\n{SIGN},\n{N}
en|{HEAD}
en|{HEAD}: {BODY}
en|## {HEAD}
en|{HEAD} - {PRODUCT} {VER}
en|{SIGN}, {TO}
de|{GREET} {TO}, {BODY}
fr|{GREET} {TO}, {BODY}
es|{GREET} {TO}, {BODY}
log|{TS} {LEVEL} {CLASS}: {EXC} in {METHOD} at line {NUM}
log|    at {PKG}.{CLASS}.{METHOD}({CLASS}.java:{NUM})
log|{TS} {LEVEL} [{CLASS}] Request processed in {NUM}ms
log|Exception in thread "main" java.lang.{EXC}: {CLASS} not initialised
log|{TS} {LEVEL} [http] GET /api/orders/{ID} 200 {NUM}ms
log|{TS} {LEVEL} {CLASS} - Connection refused to {HOST}:{NUM}
log|Traceback (most recent call last):\n  File "app/{METHOD}.py", line {NUM}, in {METHOD}\n{EXC}: 'User'
log|{LEVEL} {TS} {PKG}.{CLASS} Started {CLASS} in {NUM} seconds
log|{TS} {LEVEL} [main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat started on port {NUM}
log|{TS} {LEVEL} Kafka Consumer {CLASS} rebalanced partitions
log|{TS} {LEVEL} [deploy] {PRODUCT} {VER} rolled out to {CITY} region
log|{TS} {LEVEL} [auth] login ok user={EMAIL} ip={HOST}
log|{TS} {LEVEL} [scheduler] Job {CLASS} finished: {NUM} rows
log|{TS} {LEVEL} Sending Email To Customer Failed: {EXC}
log|panic: runtime error: index out of range [{NUM}] with length {NUM}
log|{TS} {LEVEL} User {USER} logged in from {CITY}
log|{TS} {LEVEL} [crm] contact {ID} updated by {USER}
log|{LEVEL}: Martin Service Unavailable ({CLASS})
log|{TS} {LEVEL} Hugo build {VER} done; Victor metrics exported
de|Hallo {F}, vielen Dank für Ihre Nachricht.
de|Sehr geehrte {H},\nvielen Dank für Ihre Anfrage vom {DATE}.\nMit freundlichen Grüßen\n{N}
de|Sehr geehrter {H}, leider ist die Lieferung nach {CITY} verspätet.
de|Liebe {F}, lieber {F}, herzlichen Glückwunsch!
de|Der Kunde {N} hat heute angerufen und sich über die Lieferung beschwert.
de|Rückruf bei {H} erbeten, Tel. {PHONE}.
de|Ticket wurde an {N} übergeben.
de|Gruß {F}
de|Viele Grüße\n{N}
de|{N} schrieb:
de|Am {DATE} schrieb {N} <{EMAIL}>:
de|Ansprechpartner: {N}, Tel. {PHONE}
de|Die Bestellung wurde an {N}, {STREET} {NUM}, {CITY} geliefert.
de|Frau {L} möchte ihre Adresse ändern.
de|Termin mit {N} am {DAY} um {TIME} Uhr.
de|Bitte leiten Sie die Rechnung an {N} weiter.
de|Notiz: {N} bevorzugt Kontakt per E-Mail.
de|Die Lieferung nach {CITY} erfolgt am {DAY}.
de|Bitte prüfen Sie die Rechnung im Kundenportal.
de|Der Server antwortet nicht, Fehler im {CLASS}.
de|Neue Funktion: Export als PDF in der Version {VER}.
de|Unser Büro in der {STREET} bleibt am {DAY} geschlossen.
de|Die Zahlung für Bestellung {ID} ist eingegangen.
de|Vielen Dank für Ihren Einkauf bei {COMPANY}.
de|Der Techniker kommt am Montag zwischen {TIME} und {TIME} Uhr.
de|Kundin {N} fragt nach dem Status ihrer Rückerstattung.
de|Freundliche Grüße aus {CITY}\n{N}\n{COMPANY}
fr|Bonjour {F}, merci pour votre message.
fr|Bonjour {H},\nNous avons bien reçu votre demande.\nCordialement,\n{N}
fr|Cordialement,\n{N}
fr|Le client {N} a appelé au sujet de sa facture.
fr|Dossier transmis à {N}.
fr|De : {N} <{EMAIL}>
fr|Le {DATE}, {N} a écrit :
fr|{H} souhaite être rappelé demain.
fr|Merci {F} !
fr|Rendez-vous avec {N} le {DAY} à {TIME}.
fr|La commande {ID} a été livrée à {N}, {NUM} {STREET}, {CITY}.
fr|Livraison prévue à {CITY} le {DAY}.
fr|Réunion au {NUM} {STREET}.
fr|Erreur dans le module {CLASS}.
fr|Merci d'avoir choisi {COMPANY}.
fr|Votre abonnement {PRODUCT} expire le {DATE}.
fr|Salut {F}, tu as vu le ticket de {N} ?
fr|Interlocuteur : {N}, {JOB}
es|Hola {F}, gracias por contactarnos.
es|Estimado {H}:\nLe confirmamos el reembolso.\nSaludos,\n{N}
es|Estimada {N}:
es|Saludos,\n{N}
es|El cliente {N} llamó para cancelar su pedido.
es|Atendido por {N}.
es|{H} solicita factura del pedido {ID}.
es|El {DATE}, {N} escribió:
es|Contacto: {N}, tel. {PHONE}
es|Hablé con {N} sobre la entrega en {CITY}.
es|El envío a {CITY} sale el {DAY}.
es|Nuestra oficina en {STREET} {NUM} está cerrada.
es|Gracias por comprar en {COMPANY}.
es|Error en el servicio {CLASS}: tiempo de espera agotado.
es|La cuenta de {N} fue bloqueada por seguridad.
it|Buongiorno {H}, la ringraziamo per la segnalazione.
it|Cordiali saluti,\n{N}
it|Il cliente {N} ha chiesto un rimborso.
it|La consegna a {CITY} è prevista per {DAY}.
nl|Beste {F}, bedankt voor je bericht.
nl|Met vriendelijke groet,\n{N}
nl|Klant {N} heeft gebeld over de factuur.
nl|De levering naar {CITY} is vertraagd.
pt|Olá {F}, obrigado pelo contato.
pt|Atenciosamente,\n{N}
pt|O cliente {N} pediu o cancelamento.
pt|A entrega em {CITY} está atrasada.
`

// trainComposed combine the phrase slots of phrases.go.
const trainComposed = `
en|{GREET} {F},\n{BODY}\n{SIGN},\n{N}
en|{GREET} {F}, {BODY}
en|{GREET} {N}! {BODY}
en|{BODY} {SIGN}, {F}
en|{BODY}\n\n{SIGN}\n{F}
en|{ROLE} {N} {SAID} the {PRODUCT} stopped working.
en|The {ROLE}, {N}, {SAID} that delivery to {CITY} failed.
en|{N} {SAID}: {BODY}
en|Talked with {N} ({ROLE}) about {PRODUCT}.
en|Sent a follow-up to {N} and {N}.
en|Waiting for {F} to confirm.
en|Spoke to {F} {L} today.
en|{F} {SAID} we should ask {N}.
en|Flight from {CITY} to {CITY} leaves at {TIME}.
en|{STREET} {NUM}, {CITY}
en|{CITY}, {DATE}
en|Weather alert for {CITY} and {CITY}.
en|The {CITY} Marathon is on {DAY}.
en|Ordered {PRODUCT} for the {CITY} office.
en|{COMPANY} opened a new branch in {CITY}.
en|Route: {CITY} - {CITY} - {CITY}
de|{GREET} {F},\n{BODY}\n{SIGN}\n{N}
de|{GREET} {H}, {BODY}
de|{BODY}\n{SIGN}\n{F}
de|{ROLE} {N} {SAID}, dass die Lieferung nicht angekommen ist.
de|Gespräch mit {N} ({ROLE}) über {PRODUCT}.
de|{N} {SAID}: {BODY}
de|Zug von {CITY} nach {CITY} fällt aus.
de|{STREET} {NUM}, {CITY}
de|Lieferung an {STREET} {NUM}, {POST} {CITY}
de|Adresse: {STREET} {NUM}, {POST} {CITY}
de|Rechnungsadresse {COMPANY}, {STREET} {NUM}
de|Wir sind umgezogen: {STREET} {NUM} in {CITY}.
fr|Livraison au {NUM} {STREET}, {POST} {CITY}
es|Envío a {STREET} {NUM}, {POST} {CITY}
en|Ship to {NUM} {STREET}, {CITY} {POST}
fr|{GREET} {F},\n{BODY}\n{SIGN},\n{N}
fr|{GREET} {H}, {BODY}
fr|{BODY}\n{SIGN}\n{F}
fr|Le {ROLE} {N} {SAID} que le colis est abîmé.
fr|{N} {SAID} : {BODY}
fr|Train de {CITY} à {CITY} annulé.
es|{GREET} {F},\n{BODY}\n{SIGN},\n{N}
es|{GREET} {H}: {BODY}
es|{BODY}\n{SIGN}\n{F}
es|El {ROLE} {N} {SAID} que el paquete llegó dañado.
es|{N} {SAID}: {BODY}
es|Vuelo de {CITY} a {CITY} cancelado.
`
