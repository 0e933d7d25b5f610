import type { TargetGroup } from './reference';

/**
 * The word lists of the synthetic register: given names by sex and birth cohort, weighted
 * surnames, indigenous and migrant name pools, streets, e-mail domains and the catalogue of social
 * programmes. Weights are relative frequencies (roughly per 10,000 people), not probabilities.
 */

export type Weighted = readonly (readonly [string, number])[];

/** Birth cohorts with their own popular given names (names in Chile changed markedly by decade). */
export type Cohort = 'before1970' | 'from1970' | 'from2000';

export function cohortOf(birthYear: number): Cohort {
  return birthYear < 1970 ? 'before1970' : birthYear < 2000 ? 'from1970' : 'from2000';
}

export const FEMALE_NAMES: Readonly<Record<Cohort, Weighted>> = {
  before1970: [
    ['María', 60], ['Rosa', 18], ['Juana', 12], ['Ana', 14], ['Margarita', 12], ['Carmen', 14], ['Luisa', 8],
    ['Teresa', 9], ['Gladys', 8], ['Elena', 8], ['Olga', 7], ['Silvia', 8], ['Patricia', 12], ['Mónica', 8],
    ['Ximena', 6], ['Verónica', 8], ['Sonia', 7], ['Marta', 8], ['Eliana', 6], ['Inés', 6], ['Norma', 5],
    ['Cecilia', 8], ['Isabel', 8], ['Gloria', 8], ['Irma', 5], ['Mercedes', 6], ['Raquel', 5], ['Lidia', 5],
    ['Nancy', 5], ['Ruth', 4], ['Berta', 4], ['Erika', 4], ['Jacqueline', 4], ['Angélica', 6], ['Victoria', 5],
  ],
  from1970: [
    ['Carolina', 14], ['Paula', 9], ['Andrea', 12], ['Claudia', 14], ['Daniela', 12], ['Francisca', 10],
    ['Camila', 12], ['Javiera', 9], ['Valentina', 8], ['Constanza', 9], ['Catalina', 9], ['Fernanda', 8],
    ['Macarena', 8], ['Natalia', 8], ['Alejandra', 10], ['Karen', 7], ['Katherine', 6], ['Paola', 7],
    ['Pamela', 7], ['Marcela', 9], ['Carla', 7], ['Nicole', 7], ['Bárbara', 6], ['Lorena', 8], ['Viviana', 6],
    ['Soledad', 5], ['Jessica', 6], ['Tamara', 5], ['Valeria', 6], ['Gabriela', 7], ['María', 20], ['Romina', 4],
  ],
  from2000: [
    ['Sofía', 14], ['Isidora', 10], ['Florencia', 10], ['Agustina', 10], ['Emilia', 10], ['Josefa', 10],
    ['Antonella', 8], ['Martina', 12], ['Trinidad', 8], ['Amanda', 7], ['Maite', 6], ['Catalina', 9],
    ['Fernanda', 7], ['Valentina', 10], ['Isabella', 8], ['Emma', 6], ['Julieta', 7], ['Mía', 6],
    ['Antonia', 10], ['Renata', 6], ['Colomba', 4], ['Javiera', 7], ['Constanza', 6], ['Francisca', 6],
    ['Ignacia', 5], ['Rafaela', 5], ['Amparo', 5], ['Pascal', 3], ['Monserrat', 4], ['Aylin', 3],
  ],
};

export const MALE_NAMES: Readonly<Record<Cohort, Weighted>> = {
  before1970: [
    ['José', 40], ['Juan', 40], ['Luis', 22], ['Manuel', 14], ['Pedro', 14], ['Jorge', 16], ['Carlos', 16],
    ['Sergio', 10], ['Héctor', 9], ['Raúl', 8], ['Hernán', 7], ['Mario', 9], ['Víctor', 9], ['Francisco', 10],
    ['Ricardo', 8], ['Patricio', 8], ['Eduardo', 8], ['Ramón', 7], ['Nelson', 6], ['Osvaldo', 5], ['Segundo', 5],
    ['Óscar', 7], ['Guillermo', 6], ['Fernando', 6], ['Roberto', 7], ['Humberto', 4], ['Alfredo', 4],
    ['Domingo', 4], ['Enrique', 5], ['Arturo', 5],
  ],
  from1970: [
    ['Juan', 18], ['Cristián', 10], ['Rodrigo', 12], ['Francisco', 10], ['Felipe', 10], ['Sebastián', 10],
    ['Claudio', 8], ['Mauricio', 8], ['Marcelo', 8], ['Gonzalo', 7], ['Jorge', 8], ['Luis', 9], ['Carlos', 9],
    ['Diego', 9], ['Nicolás', 10], ['Matías', 9], ['Ignacio', 7], ['Pablo', 7], ['Alejandro', 8], ['Daniel', 8],
    ['Javier', 7], ['Andrés', 7], ['Christopher', 4], ['Jonathan', 4], ['Bastián', 5], ['Esteban', 5],
    ['Víctor', 5], ['Álvaro', 5], ['Camilo', 5], ['Patricio', 4],
  ],
  from2000: [
    ['Benjamín', 14], ['Vicente', 12], ['Martín', 12], ['Matías', 10], ['Agustín', 11], ['Joaquín', 10],
    ['Maximiliano', 8], ['Tomás', 10], ['Lucas', 8], ['Bastián', 7], ['Cristóbal', 7], ['Sebastián', 6],
    ['Gaspar', 6], ['Mateo', 9], ['Alonso', 7], ['Santiago', 6], ['Felipe', 6], ['Diego', 6], ['Nicolás', 6],
    ['Thomas', 4], ['Facundo', 4], ['Luciano', 5], ['Liam', 5], ['Gabriel', 5], ['José', 6], ['Damián', 5],
    ['Emiliano', 4], ['Julián', 4], ['León', 4], ['Santino', 4],
  ],
};

/** Second given names that commonly follow a first one ("María José", "Juan Pablo"). */
export const FEMALE_SECOND_NAMES: Weighted = [
  ['José', 8], ['Ignacia', 6], ['Paz', 6], ['Fernanda', 6], ['Jesús', 4], ['Isabel', 5], ['Belén', 5],
  ['Alejandra', 5], ['Andrea', 4], ['Elena', 4], ['Teresa', 4], ['Victoria', 4], ['Antonia', 4], ['Pía', 3],
  ['Soledad', 3], ['Angélica', 3], ['Constanza', 3], ['Francisca', 3], ['Javiera', 3], ['Rosa', 3],
];
export const MALE_SECOND_NAMES: Weighted = [
  ['Antonio', 8], ['Andrés', 7], ['Ignacio', 7], ['Alejandro', 6], ['Pablo', 5], ['Carlos', 5], ['Luis', 5],
  ['Alberto', 5], ['Eduardo', 4], ['Francisco', 4], ['José', 6], ['Esteban', 3], ['Tomás', 4], ['Javier', 4],
  ['Manuel', 4], ['Patricio', 3], ['Enrique', 3], ['Alfonso', 3], ['Ramón', 3], ['Agustín', 3],
];

/** The ~80 most frequent Chilean surnames with approximate relative frequencies. */
export const SURNAMES: Weighted = [
  ['González', 390], ['Muñoz', 280], ['Rojas', 200], ['Díaz', 190], ['Pérez', 170], ['Soto', 165],
  ['Contreras', 140], ['Silva', 135], ['Martínez', 130], ['Sepúlveda', 120], ['Morales', 118],
  ['Rodríguez', 115], ['López', 110], ['Fuentes', 105], ['Hernández', 103], ['Torres', 100], ['Araya', 98],
  ['Flores', 97], ['Espinoza', 96], ['Valenzuela', 95], ['Castillo', 92], ['Tapia', 90], ['Reyes', 89],
  ['Gutiérrez', 87], ['Castro', 86], ['Pizarro', 84], ['Álvarez', 83], ['Vásquez', 82], ['Sánchez', 81],
  ['Fernández', 80], ['Ramírez', 78], ['Carrasco', 77], ['Gómez', 76], ['Cortés', 75], ['Herrera', 74],
  ['Núñez', 73], ['Jara', 70], ['Vergara', 69], ['Rivera', 67], ['Figueroa', 66], ['Riquelme', 65],
  ['García', 64], ['Miranda', 63], ['Bravo', 62], ['Vera', 61], ['Molina', 60], ['Vega', 59], ['Campos', 58],
  ['Sandoval', 57], ['Orellana', 56], ['Cárdenas', 55], ['Olivares', 54], ['Alarcón', 53], ['Gallardo', 52],
  ['Ortiz', 51], ['Garrido', 50], ['Salazar', 49], ['Guzmán', 48], ['Henríquez', 47], ['Saavedra', 46],
  ['Navarro', 45], ['Aguilera', 44], ['Parra', 43], ['Romero', 42], ['Aravena', 41], ['Vargas', 41],
  ['Vidal', 40], ['Pino', 39], ['Cáceres', 38], ['Zúñiga', 37], ['Bustos', 36], ['Yáñez', 35], ['Medina', 34],
  ['Ruiz', 33], ['Hidalgo', 32], ['Lagos', 31], ['Peña', 30], ['Donoso', 29], ['Mendoza', 28], ['Ramos', 28],
  ['Escobar', 27], ['Sáez', 27], ['Moreno', 26], ['Acevedo', 26], ['Poblete', 25], ['Salinas', 25], ['Palma', 24],
];

/** Surnames frequent among members of some indigenous peoples (others use the common list). */
export const INDIGENOUS_SURNAMES: Readonly<Record<string, readonly string[]>> = {
  Mapuche: [
    'Huenchullán', 'Painemal', 'Catrileo', 'Millán', 'Ñancupil', 'Lincoleo', 'Huaiquil', 'Quilaqueo', 'Antileo',
    'Curiqueo', 'Marileo', 'Calfucura', 'Cayupán', 'Huenchumilla', 'Llancaqueo', 'Ñanco', 'Millaqueo', 'Paillalef',
    'Nahuelpán', 'Huichalaf', 'Cheuquepán', 'Lienlaf', 'Quintrileo', 'Collío', 'Railaf',
  ],
  Aymara: ['Mamani', 'Choque', 'Condori', 'Quispe', 'Huanca', 'Challapa', 'Mollo', 'Vilca', 'Ticona', 'Colque'],
  Quechua: ['Quispe', 'Huamán', 'Cusi', 'Yupanqui', 'Condori', 'Mamani'],
  'Lican Antai': ['Cruz', 'Anza', 'Liques', 'Tejerina', 'Ramos', 'Armella', 'Panire'],
  'Rapa Nui': ['Pakarati', 'Tuki', 'Hotus', 'Haoa', 'Teao', 'Atan', 'Tepano', 'Ika', 'Rapu', 'Hey'],
  Kawésqar: ['Tonko', 'Renchi', 'Messier', 'Aguilar'],
  Yagán: ['Calderón', 'Zárraga', 'González'],
};

/** Indigenous peoples recognised by Law 19.253, with weights by region (CONADI accreditation). */
export const INDIGENOUS_PEOPLES_BY_REGION: Readonly<Record<string, Weighted>> = {
  '15': [['Aymara', 75], ['Mapuche', 12], ['Quechua', 7], ['Lican Antai (Atacameño)', 2], ['Diaguita', 2], ['Colla', 2]],
  '01': [['Aymara', 62], ['Mapuche', 18], ['Quechua', 12], ['Lican Antai (Atacameño)', 3], ['Diaguita', 3], ['Colla', 2]],
  '02': [['Lican Antai (Atacameño)', 36], ['Aymara', 20], ['Mapuche', 20], ['Quechua', 12], ['Diaguita', 4], ['Colla', 3], ['Chango', 5]],
  '03': [['Diaguita', 50], ['Colla', 17], ['Mapuche', 20], ['Chango', 7], ['Aymara', 4], ['Lican Antai (Atacameño)', 2]],
  '04': [['Diaguita', 46], ['Mapuche', 45], ['Chango', 3], ['Aymara', 3], ['Colla', 3]],
  '11': [['Mapuche', 96], ['Kawésqar', 2], ['Aymara', 1], ['Diaguita', 1]],
  '12': [['Mapuche', 84], ['Kawésqar', 8], ['Yagán', 5], ['Aymara', 3]],
  other: [['Mapuche', 89], ['Aymara', 4.5], ['Diaguita', 3.5], ['Quechua', 1.5], ['Lican Antai (Atacameño)', 0.8], ['Rapa Nui', 0.4], ['Colla', 0.3]],
  /** Isla de Pascua (commune 05201). */
  rapaNui: [['Rapa Nui', 90], ['Mapuche', 10]],
};

/** The surname pool of a people as written in INDIGENOUS_PEOPLES_BY_REGION, if it has one. */
export function indigenousSurnamePool(people: string): readonly string[] | undefined {
  return INDIGENOUS_SURNAMES[people.replace(' (Atacameño)', '')];
}

/** Nationalities of the foreign-born population of Chile (INE/SERMIG estimates, rounded). */
export const FOREIGN_NATIONALITIES: Weighted = [
  ['VENEZOLANA', 41], ['PERUANA', 15], ['COLOMBIANA', 12], ['HAITIANA', 11], ['BOLIVIANA', 8], ['ARGENTINA', 3.5],
  ['ECUATORIANA', 2.5], ['CHINA', 1.5], ['DOMINICANA', 1.5], ['ESPAÑOLA', 1], ['BRASILEÑA', 1], ['CUBANA', 1],
  ['ESTADOUNIDENSE', 0.5], ['PARAGUAYA', 0.5],
];

/** Haitian names (a single surname: Haitian civil records have no maternal surname). */
export const HAITIAN_FEMALE_NAMES: readonly string[] = [
  'Marie', 'Rose', 'Nadège', 'Guerline', 'Jesula', 'Magalie', 'Fabiola', 'Widline', 'Esther', 'Sherline', 'Mirlande', 'Nathalie',
];
export const HAITIAN_MALE_NAMES: readonly string[] = [
  'Jean', 'Jean Baptiste', 'Pierre', 'Wilner', 'Fritz', 'Jean Claude', 'Wilson', 'Jackson', 'Evens', 'Stanley', 'Jameson', 'Ronald',
];
export const HAITIAN_SURNAMES: readonly string[] = [
  'Joseph', 'Pierre', 'Jean', 'Louis', 'Charles', 'Saint-Fleur', 'Jean-Baptiste', 'Michel', 'François', 'Paul',
  'Etienne', 'Augustin', 'Désir', 'Dorvil', 'Baptiste', 'Célestin',
];

/** Surnames frequent in the Andean countries, mixed with the common list for their nationals. */
export const ANDEAN_SURNAMES: readonly string[] = [
  'Quispe', 'Mamani', 'Condori', 'Huamán', 'Chávez', 'Vargas', 'Ramos', 'Mendoza', 'Choque', 'Flores', 'Gutiérrez', 'Salazar',
];

/** Street names as they appear in Chilean addresses (the generator adds a number and unit). */
export const STREETS: readonly string[] = [
  "Avenida Libertador Bernardo O'Higgins", 'Avenida Pedro de Valdivia', 'Arturo Prat', 'Manuel Rodríguez', 'José Miguel Carrera',
  'Avenida Vicuña Mackenna', 'Pasaje Los Copihues', 'Los Aromos', 'Los Aromos Norte', 'Las Acacias', 'Pasaje Los Boldos',
  'Los Quillayes', 'Avenida Grecia', 'Avenida Matta', 'San Martín', 'Baquedano', 'Maipú', 'Colón', 'Independencia',
  'Avenida Irarrázaval', 'Gabriela Mistral', 'Pablo Neruda', 'Violeta Parra', 'Víctor Jara', 'Los Carrera', 'Freire',
  'Lautaro', 'Caupolicán', 'Galvarino', 'Pasaje Lientur', 'Avenida Alemania', 'Pasaje Las Camelias', 'Los Cerezos',
  'Las Araucarias', 'Avenida La Florida', 'Santa Rosa', 'Gran Avenida José Miguel Carrera', 'Avenida Recoleta',
  'Pasaje El Roble', 'Los Alerces', 'Los Maitenes', 'Avenida Costanera', 'Balmaceda', 'Yungay', 'Chacabuco',
  'Esmeralda', 'Serrano', 'Aníbal Pinto', 'Avenida Brasil', 'Avenida España', 'Camino Real', 'Pasaje Las Violetas',
  'Los Jazmines', 'Las Rosas', 'Avenida Diego Portales', 'Bulnes', 'Rengo', 'Pasaje Río Bueno', 'Río Loa', 'Avenida Alessandri',
  'Villa Los Presidentes', 'Población La Victoria', 'Pasaje Nueva Esperanza', 'Avenida Padre Hurtado', 'Avenida Departamental',
];

/** E-mail domains used by the register's contacts. */
export const EMAIL_DOMAINS: Weighted = [
  ['gmail.com', 60], ['hotmail.com', 20], ['outlook.com', 8], ['yahoo.com', 5], ['icloud.com', 4], ['live.cl', 3],
];

/** Banks that pay social transfers into accounts (CuentaRUT of BancoEstado above all). */
export const PAYMENT_BANKS: Weighted = [
  ['BancoEstado', 85], ['Banco de Chile', 5], ['Banco Santander', 4], ['Banco BCI', 3], ['Banco Falabella', 3],
];

/** Lower-case ASCII of a name, for e-mail addresses ("Muñoz" → "munoz", "Jean Baptiste" → "jeanbaptiste"). */
export function asciiLower(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * How the generator hands out a programme:
 * - `household`: a cash transfer the generator grants and pays per household by its own rules
 *   (monthly payroll rows; see generate.ts), never drawn at random;
 * - `special`: granted by a rule tied to another register (subsystem, street situation, ...);
 * - `draw`: drawn at random among the programmes a person is eligible for.
 */
export type ProgrammeKind = 'household' | 'special' | 'draw';

export interface ProgrammeSpec {
  name: string;
  /** The groups this programme naturally targets; the catalogue builder honours them first. */
  prefers: readonly TargetGroup[];
  /** Pesos of one grant (a monthly or one-off payment; approximate 2025 values); null for services. */
  amount: number | null;
  kind: ProgrammeKind;
  /** Relative popularity among the programmes a person may draw. */
  weight?: number;
  /** Only for young people (under 30): higher education, youth employment. */
  youth?: boolean;
}

const D = 'DEPENDENCY';
const O = 'OLDER_ADULTS';
const I = 'INDIGENOUS';
const C = 'CHILDREN_AND_ADOLESCENTS';
const W = 'WOMEN';
const M = 'MULTIDIMENSIONAL_POVERTY';
const P = 'INCOME_POVERTY';
const G = 'GENERAL_POPULATION';

function draw(name: string, prefers: readonly TargetGroup[], amount: number | null = null, weight = 1): ProgrammeSpec {
  return { name, prefers, amount, kind: 'draw', weight };
}

function youth(spec: ProgrammeSpec): ProgrammeSpec {
  return { ...spec, youth: true };
}

/**
 * The programme catalogue by ministry (names exactly as in programmes_by_ministry.csv), with the
 * code prefix of each ministry. The number of programmes per ministry must equal the CSV; the
 * target groups are then fitted to the CSV counts by `buildProgrammeCatalogue` in generate.ts.
 */
export const PROGRAMME_CATALOGUE: readonly { ministry: string; prefix: string; programmes: readonly ProgrammeSpec[] }[] = [
  {
    ministry: 'Ministerio de Agricultura',
    prefix: 'MINAGRI',
    programmes: [
      draw('Programa de Desarrollo Territorial Indígena (PDTI)', [I], null, 3),
      draw('Programa Mujeres Rurales INDAP-PRODEMU', [W], null, 2),
      draw('Programa de Desarrollo Local (PRODESAL)', [G], null, 4),
      draw('Servicio de Asesoría Técnica (SAT)', [G]),
      draw('Programa de Alianzas Productivas', [G]),
      draw('Programa de Desarrollo de Inversiones (PDI)', [G]),
      draw('Programa de Riego Intrapredial', [G]),
      draw('Programa de Praderas Suplementarias', [G]),
      draw('Sistema de Incentivos para la Sustentabilidad Agroambiental de los Suelos (SIRSD-S)', [G]),
      draw('Programa Agropecuario para el Desarrollo Integral de Campesinos del Secano (PADIS)', [G]),
      youth(draw('Programa Nacional de Jóvenes Rurales', [G])),
      draw('Programa de Turismo Rural', [G]),
      draw('Crédito INDAP de Corto Plazo', [G]),
      draw('Crédito INDAP de Largo Plazo', [G]),
      draw('Programa Mercados Campesinos', [G]),
      draw('Sello Manos Campesinas', [G]),
      draw('Bono de Emergencia Agrícola', [G], 250_000),
      draw('Programa de Forestación Campesina (CONAF)', [G]),
      draw('Programa de Arborización (CONAF)', [G]),
      draw('Concurso de Riego para la Pequeña Agricultura (CNR)', [G]),
    ],
  },
  {
    ministry: 'Ministerio de Bienes Nacionales',
    prefix: 'MBN',
    programmes: [draw('Regularización de la Pequeña Propiedad Raíz', [G], null, 2)],
  },
  {
    ministry: 'Ministerio de Desarrollo Social y Familia',
    prefix: 'MDSF',
    programmes: [
      { name: 'Bono de Protección', prefers: [M, P], amount: 23_542, kind: 'household' },
      { name: 'Bono Base Familiar', prefers: [P, M], amount: null, kind: 'household' },
      { name: 'Subsidio Único Familiar (SUF)', prefers: [C, P], amount: 22_007, kind: 'household' },
      { name: 'Aporte Familiar Permanente', prefers: [P, M], amount: 64_563, kind: 'household' },
      draw('Bono por Control del Niño Sano', [C, M], 7_656, 2),
      draw('Bono por Asistencia Escolar', [C, M], 7_656, 2),
      draw('Bono por Logro Escolar', [M, P], 76_560),
      { name: 'Programa Familias', prefers: [M, P], amount: null, kind: 'special' },
      { name: 'Programa Calle', prefers: [M], amount: null, kind: 'special' },
      draw('Programa Vínculos', [O, M], null, 3),
      draw('Abriendo Caminos', [C, M], null, 1),
      draw('Chile Crece Más', [C], null, 6),
      draw('Red Local de Apoyos y Cuidados', [D, O], null, 2),
      draw('Tránsito a la Vida Independiente', [D]),
      draw('Ayudas Técnicas SENADIS', [D], null, 2),
      draw('Programa Cuidados Domiciliarios', [O, D]),
      draw('Centros Diurnos del Adulto Mayor', [O], null, 2),
      draw('Establecimientos de Larga Estadía para Adultos Mayores (ELEAM)', [O, D]),
      draw('Condominios de Viviendas Tuteladas', [O]),
      draw('Fondo Nacional del Adulto Mayor', [O], null, 2),
      draw('Programa Envejecimiento Activo', [O], null, 2),
      draw('Fondo de Tierras y Aguas Indígenas (CONADI)', [I, M], null, 3),
      draw('Yo Emprendo Semilla', [M, P], 450_000, 2),
      draw('Yo Emprendo', [P], 600_000),
      draw('Acción Local', [M]),
      draw('Educación Financiera', [P]),
      draw('Yo Trabajo', [P, M]),
      draw('Programa Habitabilidad', [M], null, 2),
      draw('Programa de Apoyo a Familias para el Autoconsumo', [M, P]),
      draw('Programa Noche Digna', [M]),
      draw('Programa Mujer Emprende', [W, P], 400_000, 2),
    ],
  },
  {
    ministry: 'Ministerio de Educación',
    prefix: 'MINEDUC',
    programmes: [
      draw('Programa de Alimentación Escolar (PAE)', [C, M], null, 12),
      draw('Beca Indígena', [I], 107_000, 4),
      draw('Beca Presidente de la República', [C, P], 83_000, 2),
      draw('Beca de Apoyo a la Retención Escolar (BARE)', [C, M], 206_000),
      draw('Programa de Útiles Escolares', [C, M], null, 6),
      draw('Programa Me Conecto para Aprender', [C], null, 2),
      draw('Programa de Salud Escolar', [C], null, 3),
      draw('Programa Habilidades para la Vida', [C, M], null, 2),
      draw('Beca Práctica Técnico Profesional', [C], 62_000),
      draw('Programa de Residencia Familiar Estudiantil', [C, M]),
      youth(draw('Hogares Estudiantiles', [P])),
      youth(draw('Beca de Alimentación para la Educación Superior (BAES)', [P], 43_000, 3)),
      youth(draw('Gratuidad en la Educación Superior', [P, M], null, 4)),
      youth(draw('Beca Bicentenario', [P])),
      youth(draw('Beca Juan Gómez Millas', [P])),
      youth(draw('Beca Nuevo Milenio', [P], null, 2)),
      youth(draw('Crédito con Garantía Estatal (CAE)', [G], null, 2)),
      youth(draw('Fondo Solidario de Crédito Universitario', [G])),
      draw('Programa de Acompañamiento y Acceso Efectivo a la Educación Superior (PACE)', [C, M]),
      draw('Salas Cuna y Jardines Infantiles JUNJI', [C, M], null, 4),
      draw('Programa Conozca a su Hijo', [C]),
      draw('Programa de Integración Escolar (PIE)', [C], null, 2),
      draw('Subvención Escolar Preferencial (SEP)', [C, M], null, 6),
      draw('Educación de Personas Jóvenes y Adultas', [G]),
      youth(draw('Beca Vocación de Profesor', [G])),
      youth(draw('Beca Excelencia Académica', [G])),
      draw('Beca de Reparación', [G]),
      youth(draw('Beca Hijos de Profesionales de la Educación', [G])),
      draw('Campamentos Recreativos para Escolares', [C]),
      youth(draw('Tarjeta Nacional Estudiantil (TNE)', [G], null, 4)),
    ],
  },
  {
    ministry: 'Ministerio de Energía',
    prefix: 'MINENERGIA',
    programmes: [draw('Subsidio Eléctrico', [G], 15_000, 6)],
  },
  {
    ministry: 'Fundación',
    prefix: 'FUNDACION',
    programmes: [
      draw('Jardines Infantiles y Salas Cuna Fundación Integra', [C, M], null, 4),
      draw('Programa Mujer Emprende y Aprende (PRODEMU)', [W, P], null, 2),
      draw('Programa Autonomía Económica de la Mujer (PRODEMU)', [W, M]),
      draw('Orquestas Juveniles e Infantiles (FOJI)', [C, M]),
      draw('Museo Interactivo Mirador: visitas escolares', [C]),
      draw('Talleres para las Familias (Fundación de las Familias)', [C, M]),
    ],
  },
  {
    ministry: 'Ministerio de Justicia',
    prefix: 'MINJUSTICIA',
    programmes: [
      draw('Asistencia Jurídica Gratuita (Corporación de Asistencia Judicial)', [G], null, 2),
      draw('Centros de Apoyo a Víctimas de Delitos', [G]),
      draw('Programa Mi Abogado', [G]),
    ],
  },
  {
    ministry: 'Ministerio de Trabajo',
    prefix: 'MINTRAB',
    programmes: [
      { name: 'Asignación Familiar', prefers: [C, P], amount: 22_007, kind: 'household' },
      { name: 'Bono Invierno', prefers: [O, P], amount: 82_425, kind: 'household' },
      draw('Pensión Garantizada Universal (PGU)', [O, P], 224_004, 12),
      draw('Aporte Previsional Solidario de Invalidez', [D, P], 120_000, 3),
      draw('Bono Bodas de Oro', [O, P], 450_000),
      draw('Bono por Hijo para las Mujeres', [O, P], 320_000, 2),
      youth(draw('Subsidio al Empleo Joven', [P, M], 45_000, 2)),
      draw('Bono al Trabajo de la Mujer', [P, M], 38_000, 3),
      draw('Capacitación en Oficios (SENCE)', [P, M]),
      draw('Subsidio Protege', [C, P], 200_000),
      draw('Programa de Apoyo al Empleo', [P, M]),
      draw('Programa Inversión en la Comunidad', [P, M]),
      draw('Programa de Competencias Laborales', [P]),
      youth(draw('Subsidio Previsional a los Trabajadores Jóvenes', [P])),
      draw('Becas Laborales (SENCE)', [P, M]),
    ],
  },
  {
    ministry: 'Ministerio de Vivienda',
    prefix: 'MINVU',
    programmes: [
      draw('Fondo Solidario de Elección de Vivienda (DS49)', [M], null, 3),
      draw('Programa de Habitabilidad Rural (DS10)', [M]),
      draw('Programa Asentamientos Precarios (Campamentos)', [M]),
      draw('Programa de Mejoramiento de Viviendas y Barrios (DS27)', [G], null, 3),
      draw('Subsidio de Arriendo (DS52)', [G], null, 2),
      draw('Sistema Integrado de Subsidio Habitacional (DS1)', [G], null, 2),
      draw('Programa de Integración Social y Territorial (DS19)', [G]),
    ],
  },
];
