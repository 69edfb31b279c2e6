import { CliContext } from '../../context.js';
import { describeClash } from '../../../server/id-clashes.js';
import { shellWord } from '../../../common/shell-word.js';
import { table } from '../../table.js';
import { humanTime } from '../../time-format.js';
import { visible } from '../../visible.js';

export type CpOptions = { action: 'add'; id: string; password?: string | undefined; passwordStdin: boolean } | { action: 'list' } | { action: 'remove'; id: string };

/** Charge points allowed on the local server: these routes exist only there, so --local is implied. */
export async function run(parent: CliContext, o: CpOptions): Promise<number> {
  const ctx = parent.options.apiUrl ? parent : new CliContext({ ...parent.options, local: true }, parent.streams, parent.env);
  const client = await ctx.client();
  try {
    if (o.action === 'list') {
      const list = await client.localChargePoints();
      if (ctx.out.json) ctx.out.document(list);
      else {
        if (list.total === 0) ctx.out.info(`No charge points yet: ${ctx.command('local cp add <charge-point-id>', { server: false })}`);
        const rows = list.charge_points.map((c) => [
          c.id,
          c.connected ? 'connected' : c.last_refusal ? `refused: ${visible(c.last_refusal.reason)} (${c.last_refusal.count}×, from ${c.last_refusal.from ?? '?'})` : 'offline',
          c.new_password_pending ? 'new password pending' : c.has_password ? 'password' : 'none',
          c.commissioned ? 'yes' : 'no',
          humanTime(c.last_seen_at),
        ]);
        if (rows.length > 0) for (const line of table(ctx.theme, ['CHARGE POINT', 'LINK', 'ACCESS', 'COMMISSIONED', 'LAST SEEN'], rows)) ctx.out.line(line);
        const clashes = list.charge_points.filter((c) => c.duplicate_id);
        if (clashes.length > 0) ctx.out.line('');
        for (const c of clashes) ctx.out.line(ctx.theme.paint('yellow', `warning: ${describeClash(c.id, c.duplicate_id!)}`));
        if (list.unknown_attempts.length > 0) {
          ctx.out.line('');
          ctx.out.line('Tried to connect, but not known here:');
          for (const u of list.unknown_attempts) {
            // A device on the site LAN chose this id: printable ASCII by the server's rule, made visible all the same.
            const id = visible(u.id);
            const next = u.did_you_mean ? `did you mean ${u.did_you_mean}? (check the charger's Charge Point ID)` : ctx.command(`local cp add ${shellWord(u.id)}`, { server: false });
            ctx.out.line(`  ${id}  from ${u.from ?? '?'}, ${u.count}×, last ${humanTime(u.at)}  — ${next}`);
          }
        }
      }
    } else if (o.action === 'add') {
      const password = await ctx.password(o.password, o.passwordStdin, 'DYNAMO_CP_PASSWORD');
      const added = await client.addLocalChargePoint({ id: o.id, ...(password !== undefined && { password }) });
      if (ctx.out.json) ctx.out.document(added);
      else {
        ctx.out.info(ctx.theme.ok(`${added.id} may now connect.`));
        const server = ctx.options.apiUrl ? null : ctx.localServer();
        ctx.out.line(`  On the charger set:  Central System URL  ${server?.ocpp_urls.join('  or  ') ?? 'ws://<this laptop>:<ocpp port>/ocpp'}`);
        ctx.out.line(`                       Charge Point ID     ${added.id}`);
        if (added.password) {
          ctx.out.line(`                       password            ${added.password}   (shown once)`);
          // The security whitepaper's AuthorizationKey is the password hex-encoded; some chargers ask for that.
          ctx.out.line(`                       or, asked as hex    ${Buffer.from(added.password).toString('hex')}`);
        } else ctx.out.line('                       password            the one you gave');
      }
    } else {
      const removed = await client.removeLocalChargePoint(o.id);
      if (ctx.out.json) ctx.out.document(removed);
      else ctx.out.info(`${o.id} can no longer connect (its sessions, logs and issues are kept)`);
    }
    return 0;
  } finally {
    await client.close();
  }
}
