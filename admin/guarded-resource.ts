// The Sequelize data source of AdminJS without the internal fields (admin/internal-fields.ts): they are
// neither properties nor selected by any query, so no action, hook or populated reference can serialise them.
import { BaseRecord } from 'adminjs';
import { Resource, convertFilter, uuidRegex } from '@adminjs/sequelize';
import { DataTypes, Op, type FindOptions, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { HIDDEN_TABLES, internalFieldsOf } from './internal-fields.js';

type Row = Record<string, unknown>;
type FilterElement = { path: string; property: { name(): string }; value: unknown };
/** Adds computed params (a French title…) to the rows of one table, at the data source like the rest. */
export type RowDecorator = (rows: Row[]) => Promise<void>;
const decorators = new Map<string, RowDecorator>();

export function decorateRows(table: string, decorator: RowDecorator): void {
  decorators.set(table, decorator);
}

export class GuardedResource extends Resource {
  private readonly model: ModelStatic<Model>;

  constructor(model: ModelStatic<Model>) {
    super(model as never);
    this.model = model;
    if (HIDDEN_TABLES.includes(this.name())) throw new Error(`the table ${this.name()} must not be an AdminJS resource`);
  }

  override rawAttributes(): ReturnType<Resource['rawAttributes']> {
    const internal = internalFieldsOf(this.name());
    return Object.fromEntries(Object.entries(super.rawAttributes()).filter(([name]) => !internal.includes(name))) as ReturnType<Resource['rawAttributes']>;
  }

  /** The only columns any query of this resource selects. */
  private attributes(): string[] {
    return Object.keys(this.rawAttributes());
  }

  private async records(options: FindOptions): Promise<BaseRecord[]> {
    const rows = (await this.model.findAll({ ...options, attributes: this.attributes() })).map((row) => this.safe(row.toJSON() as Row));
    await decorators.get(this.name())?.(rows);
    return rows.map((row) => new BaseRecord(row, this));
  }

  /** Belt and braces: whatever a query returned, the internal fields are dropped. */
  private safe(row: Row): Row {
    const internal = internalFieldsOf(this.name());
    return Object.fromEntries(Object.entries(row).filter(([name]) => !internal.includes(name)));
  }

  override async find(filter: unknown, { limit = 20, offset = 0, sort = {} }: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } }): Promise<BaseRecord[]> {
    const where = this.where(filter);
    if (!where) return [];
    const order = sort.sortBy && this.attributes().includes(sort.sortBy) ? [[sort.sortBy, (sort.direction ?? 'asc').toUpperCase()]] : [];
    return this.records({ where, limit, offset, order: order as FindOptions['order'] });
  }

  override async count(filter: unknown): Promise<number> {
    const where = this.where(filter);
    return where ? this.model.count({ where }) : 0;
  }

  /**
   * The adapter's filter on real columns only: a filter (or a search) on a computed param is ignored, and a
   * text searched in a uuid column matches nothing (PostgreSQL would refuse `uuid LIKE text`). Null: no row.
   */
  private where(filter: unknown): WhereOptions | null {
    const columns = this.rawAttributes();
    const elements = Object.values((filter as { filters?: Record<string, FilterElement> } | undefined)?.filters ?? {})
      .filter((element) => element.property && columns[element.property.name()]);
    const isUuid = (name: string) => (columns[name].type as { key?: string }).key === DataTypes.UUID.key;
    if (elements.some((element) => isUuid(element.property.name()) && typeof element.value === 'string' && !uuidRegex.test(element.value))) return null;
    return convertFilter(elements) as WhereOptions;
  }

  override async findOne(id: unknown): Promise<BaseRecord | null> {
    const [record] = await this.records({ where: { [this.primaryKey()]: id } as WhereOptions, limit: 1 });
    return record ?? null;
  }

  override async findMany(ids: unknown[]): Promise<BaseRecord[]> {
    return this.records({ where: { [this.primaryKey()]: { [Op.in]: ids } } as WhereOptions });
  }

  override async findById(id: unknown): Promise<Model | null> {
    return this.model.findByPk(id as string, { attributes: this.attributes() });
  }

  override async populate(baseRecords: BaseRecord[], property: { name(): string }): Promise<BaseRecord[]> {
    const ids = baseRecords.map((record) => record.param(property.name())).filter((id) => id !== null && id !== undefined && id !== '');
    if (ids.length === 0) return baseRecords;
    const byId = new Map((await this.findMany([...new Set(ids)])).map((record) => [String(record.id()), record]));
    for (const record of baseRecords) {
      const referenced = byId.get(String(record.param(property.name())));
      if (referenced) record.populated[property.name()] = referenced;
    }
    return baseRecords;
  }

  override async create(params: Row): Promise<Row> {
    return this.safe(await super.create(this.safe(params)));
  }

  override async update(id: unknown, params: Row): Promise<Row> {
    return this.safe(await super.update(id, this.safe(params)) as Row);
  }
}
